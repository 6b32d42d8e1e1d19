import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '@pbx2fa/platform';
import { clientInfo } from '../common/correlation-id';
import { ApiErrors } from '../docs/api-errors.decorator';
import { TokenResponse, WebauthnOptionsResponse } from '../docs/responses';
import { EmptyDto } from '../common/empty.dto';
import { PasskeySignInDto } from './dto/passkey.dto';
import { PasskeySignInService } from './passkey-sign-in.service';

/** Use a Passkey: passwordless sign-in with a discoverable passkey. */
@ApiTags('sign-in')
@Public()
@Controller('auth/passkey')
export class PasskeySignInController {
  constructor(private readonly signIn: PasskeySignInService) {}

  @ApiOperation({ summary: 'Use a Passkey, step 1: WebAuthn request options (user verification required)' })
  @ApiOkResponse({ type: WebauthnOptionsResponse })
  @ApiErrors([429, 'too_many_requests'])
  @Post('options')
  @HttpCode(200)
  options(@Body() _body: EmptyDto) {
    return this.signIn.passwordlessOptions();
  }

  @ApiOperation({ summary: 'Use a Passkey, step 2: the authentication response signs the user in' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiErrors([400, 'invalid_passkey'], [401, 'invalid_passkey'], [429, 'too_many_attempts'], [429, 'too_many_requests'])
  @Post()
  @HttpCode(200)
  signInWithPasskey(@Body() body: PasskeySignInDto, @Req() request: Request) {
    return this.signIn.signInPasswordless(body.response, clientInfo(request));
  }
}
