import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { IsString, Length } from 'class-validator';
import type { Request } from 'express';
import { clientInfo } from '../common/correlation-id';
import { Public } from '@pbx2fa/platform';
import { SsoService } from './sso.service';
import { ApiProperty } from '@nestjs/swagger';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-errors.decorator';
import { LoginOptionsResponse, TokenResponse } from '../docs/responses';

export class RingosAssertionDto {
  @ApiProperty({ description: 'a JWT signed by the RingOS identity provider: sub = username, iss, aud, exp, jti' })
  @IsString()
  @Length(1, 8192, { message: 'assertion must be the signed RingOS assertion' })
  assertion: string;
}

@ApiTags('sign-in')
@Controller('auth')
export class SsoController {
  constructor(private readonly sso: SsoService) {}

  @ApiOperation({
    summary: 'Sign in through RingOS single sign-on (no passcode: the identity provider did the second factor)',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiErrors([401, 'invalid_assertion'], [429, 'too_many_requests'])
  @Public()
  @Post('sso/ringos')
  @HttpCode(200)
  signIn(@Body() body: RingosAssertionDto, @Req() request: Request) {
    return this.sso.signIn(body.assertion, clientInfo(request));
  }

  @ApiOperation({ summary: 'Whether the dashboard was reached on a RingOS host' })
  @ApiOkResponse({ type: LoginOptionsResponse })
  /** `request.hostname` honours X-Forwarded-Host only from trusted proxies (TRUST_PROXY). */
  @Public()
  @Get('login-options')
  loginOptions(@Req() request: Request) {
    return this.sso.loginOptions(request.hostname);
  }
}
