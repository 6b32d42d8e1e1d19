import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import type { Actor } from '@pbx2fa/contracts';
import { clientInfo } from '../common/correlation-id';
import { ApiErrors } from '../docs/api-errors.decorator';
import { PasskeyListResponse, RegisteredPasskeyResponse, WebauthnOptionsResponse } from '../docs/responses';
import { EmptyDto } from '../common/empty.dto';
import { CurrentActor } from '../common/current-actor.decorator';
import { CurrentSession } from '../sessions/current-session.decorator';
import { AllowEnrollment } from '../sessions/enrollment-access';
import type { LiveSession } from '../sessions/session.repository';
import { RegisterPasskeyDto, RemovePasskeyDto } from './dto/passkey.dto';
import { PasskeyIdPipe } from './passkey-id.pipe';
import { PasskeyRegistrationService } from './passkey-registration.service';

@ApiTags('account security')
@ApiBearerAuth('bearer')
@Controller('auth/passkeys')
export class PasskeysController {
  constructor(private readonly registration: PasskeyRegistrationService) {}

  @ApiOperation({
    summary: 'Add a Passkey, step 1: WebAuthn creation options for startRegistration({ optionsJSON })',
    description:
      "Allowed when the user's reseller has 2FA (agents always). Accepts an enrollmentToken from POST /auth/login while the account has no second factor.",
  })
  @ApiOkResponse({ type: WebauthnOptionsResponse })
  @ApiErrors([403, 'two_factor_not_enabled_for_reseller'], [409, 'two_factor_already_enabled'])
  @AllowEnrollment()
  @Post('registration-options')
  @HttpCode(200)
  options(@Body() _body: EmptyDto, @CurrentActor() actor: Actor, @CurrentSession() session: LiveSession) {
    return this.registration.options(actor, session);
  }

  @ApiOperation({
    summary: 'Add a Passkey, step 2: the registration response, a name and the current password',
    description:
      "The user's first second factor also brings ten recovery codes (shown once); with an enrollmentToken it completes the sign-in " +
      '(accessToken, expiresIn). Ends the other sessions of the user.',
  })
  @ApiCreatedResponse({ type: RegisteredPasskeyResponse })
  @ApiErrors(
    [400, 'invalid_passkey'],
    [400, 'invalid_current_password'],
    [403, 'two_factor_not_enabled_for_reseller'],
    [409, 'two_factor_already_enabled'],
    [429, 'too_many_attempts'],
  )
  @AllowEnrollment()
  @Post()
  register(
    @CurrentActor() actor: Actor,
    @CurrentSession() session: LiveSession,
    @Body() body: RegisterPasskeyDto,
    @Req() request: Request,
  ) {
    return this.registration.register(actor, session, body, clientInfo(request));
  }

  @ApiOperation({ summary: "The user's passkeys" })
  @ApiOkResponse({ type: PasskeyListResponse })
  @ApiErrors()
  @Get()
  list(@CurrentActor() actor: Actor) {
    return this.registration.list(actor);
  }

  @ApiOperation({
    summary: 'Remove a passkey (current password); ends the other sessions of the user',
    description:
      'Removing the last second factor turns 2FA off for the user and removes the recovery codes; an agent may not (403 two_factor_mandatory).',
  })
  @ApiNoContentResponse()
  @ApiErrors(
    [400, 'invalid_id'],
    [400, 'invalid_current_password'],
    [403, 'two_factor_mandatory'],
    [404, 'not_found'],
    [429, 'too_many_attempts'],
  )
  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentActor() actor: Actor,
    @CurrentSession() session: LiveSession,
    @Param('id', PasskeyIdPipe) id: string,
    @Body() body: RemovePasskeyDto,
    @Req() request: Request,
  ): Promise<void> {
    await this.registration.remove(actor, session, id, body.currentPassword, clientInfo(request));
  }
}
