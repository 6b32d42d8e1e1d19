import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '@pbx2fa/contracts';
import { clientInfo } from '../common/correlation-id';
import { EmptyDto } from '../common/empty.dto';
import { CurrentActor } from '../common/current-actor.decorator';
import { CurrentSession } from '../sessions/current-session.decorator';
import { AllowEnrollment } from '../sessions/enrollment-access';
import type { LiveSession } from '../sessions/session.repository';
import { ActivateTwoFactorDto, PasswordAndPasscodeDto, PasswordAndSecondFactorDto } from './dto/enrollment.dto';
import { EnrollmentService } from './enrollment.service';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-errors.decorator';
import { ActivateResponse, DisableResponse, RecoveryCodesResponse, SetupResponse } from '../docs/responses';

@ApiTags('account security')
@ApiBearerAuth('bearer')
@Controller('auth/2fa')
export class EnrollmentController {
  constructor(private readonly enrollment: EnrollmentService) {}

  @ApiOperation({
    summary: 'Set Up Google Authenticator: a new pending secret, its otpauth URL and QR code',
    description: "Agents always may, whatever any reseller's policy. Accepts an enrollmentToken from POST /auth/login.",
  })
  @ApiCreatedResponse({ type: SetupResponse })
  @ApiErrors([403, 'two_factor_not_enabled_for_reseller'], [409, 'two_factor_already_enabled'])
  @AllowEnrollment()
  @Post('setup')
  setup(@CurrentActor() actor: Actor, @Body() _body: EmptyDto, @Req() request: Request) {
    return this.enrollment.setup(actor, clientInfo(request));
  }

  @ApiOperation({
    summary: 'Save: the passcode from the app plus the current password; returns recovery codes once',
    description:
      'Called with an enrollmentToken from POST /auth/login, it also completes that sign-in: the answer carries accessToken and expiresIn, and the enrollment token stops working.',
  })
  @ApiOkResponse({ type: ActivateResponse })
  @ApiErrors(
    [400, 'invalid_passcode'],
    [400, 'invalid_current_password'],
    [409, 'no_pending_setup'],
    [409, 'two_factor_already_enabled'],
    [429, 'too_many_attempts'],
  )
  @AllowEnrollment()
  @Post('activate')
  @HttpCode(200)
  activate(
    @CurrentActor() actor: Actor,
    @CurrentSession() session: LiveSession,
    @Body() body: ActivateTwoFactorDto,
    @Req() request: Request,
  ) {
    return this.enrollment.activate(actor, session, body, clientInfo(request));
  }

  @ApiOperation({
    summary: 'Turn 2FA off for this user: current password plus a passcode or a recovery code',
    description: 'Refused for agents (403 two_factor_mandatory): an agent always has a second factor.',
  })
  @ApiOkResponse({ type: DisableResponse })
  @ApiErrors(
    [400, 'invalid_passcode'],
    [400, 'invalid_current_password'],
    [403, 'two_factor_mandatory'],
    [409, 'two_factor_not_active'],
    [429, 'too_many_attempts'],
  )
  @Post('disable')
  @HttpCode(200)
  disable(
    @CurrentActor() actor: Actor,
    @CurrentSession() session: LiveSession | undefined,
    @Body() body: PasswordAndSecondFactorDto,
    @Req() request: Request,
  ) {
    return this.enrollment.disable(actor, body, clientInfo(request), session?.sessionId ?? null);
  }

  @ApiOperation({ summary: 'New recovery codes (the old ones stop working): current password plus passcode' })
  @ApiOkResponse({ type: RecoveryCodesResponse })
  @ApiErrors(
    [400, 'invalid_passcode'],
    [400, 'invalid_current_password'],
    [409, 'two_factor_not_active'],
    [429, 'too_many_attempts'],
  )
  @Post('recovery-codes')
  @HttpCode(200)
  recoveryCodes(@CurrentActor() actor: Actor, @Body() body: PasswordAndPasscodeDto, @Req() request: Request) {
    return this.enrollment.regenerateRecoveryCodes(actor, body, clientInfo(request));
  }
}
