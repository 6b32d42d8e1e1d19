import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { clientInfo } from '../common/correlation-id';
import { Public } from '@pbx2fa/platform';
import { LoginDto } from './dto/login.dto';
import { VerifyLoginDto } from './dto/verify-login.dto';
import { LoginPasskeyOptionsDto } from '../passkeys/dto/passkey.dto';
import { LoginService } from './login.service';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-errors.decorator';
import {
  ChallengeResponse,
  EnrollmentResponse,
  TokenResponse,
  VerifiedResponse,
  WebauthnOptionsResponse,
} from '../docs/responses';

@ApiTags('sign-in')
@ApiExtraModels(TokenResponse, ChallengeResponse, EnrollmentResponse)
@Controller('auth/login')
export class LoginController {
  constructor(private readonly login: LoginService) {}

  @ApiOperation({
    summary: 'Sign in with a password; a passcode is asked next when the user has 2FA',
    description:
      'An agent without a second factor gets enrollment_required: an enrollmentToken good only for setting one up (agents always have a second factor). ' +
      'With deviceToken (from a sign-in with rememberDevice) and the right password, a device still remembered skips the second step (amr pwd, device); ' +
      'any other token is ignored: the answer is the one without it.',
  })
  @ApiOkResponse({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(TokenResponse) },
        { $ref: getSchemaPath(ChallengeResponse) },
        { $ref: getSchemaPath(EnrollmentResponse) },
      ],
    },
  })
  @ApiErrors([401, 'invalid_credentials'], [429, 'too_many_attempts'], [429, 'too_many_requests'], [503, 'busy'])
  @Public()
  @Post()
  @HttpCode(200)
  signIn(@Body() body: LoginDto, @Req() request: Request) {
    return this.login.login(body, clientInfo(request));
  }

  @ApiOperation({
    summary: 'Answer the challenge with a passcode, a recovery code or a passkey',
    description:
      'passkey: what startAuthentication() returned for the options of POST /auth/login/passkey-options. A passkey that does not verify is counted like a wrong passcode (401 invalid_passcode). ' +
      "rememberDevice: true brings deviceToken while the reseller's rememberDeviceDays is above 0 (never for agents); otherwise it is left out, without an error.",
  })
  @ApiOkResponse({ type: VerifiedResponse })
  @ApiErrors(
    [400, 'invalid_passkey'],
    [401, 'invalid_passcode'],
    [401, 'invalid_challenge'],
    [429, 'too_many_attempts'],
    [429, 'too_many_requests'],
  )
  @Public()
  @Post('verify')
  @HttpCode(200)
  verify(@Body() body: VerifyLoginDto, @Req() request: Request) {
    return this.login.verify(body, clientInfo(request));
  }

  @ApiOperation({
    summary: "WebAuthn request options for the second step, naming the user's passkeys",
    description: 'Answer them with startAuthentication({ optionsJSON }), then POST /auth/login/verify with passkey.',
  })
  @ApiOkResponse({ type: WebauthnOptionsResponse })
  @ApiErrors([401, 'invalid_challenge'], [409, 'no_passkey'], [429, 'too_many_requests'])
  @Public()
  @Post('passkey-options')
  @HttpCode(200)
  passkeyOptions(@Body() body: LoginPasskeyOptionsDto) {
    return this.login.passkeyOptions(body.challengeToken);
  }
}
