import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { IsString, Length } from 'class-validator';
import type { Request } from 'express';
import { clientInfo } from '../common/correlation-id';
import { Public } from '@pbx2fa/platform';
import { SsoService } from './sso.service';

export class RingosAssertionDto {
  @IsString()
  @Length(1, 8192, { message: 'assertion must be the signed RingOS assertion' })
  assertion: string;
}

@Controller('auth')
export class SsoController {
  constructor(private readonly sso: SsoService) {}

  @Public()
  @Post('sso/ringos')
  @HttpCode(200)
  signIn(@Body() body: RingosAssertionDto, @Req() request: Request) {
    return this.sso.signIn(body.assertion, clientInfo(request));
  }

  /** `request.hostname` honours X-Forwarded-Host only from trusted proxies (TRUST_PROXY). */
  @Public()
  @Get('login-options')
  loginOptions(@Req() request: Request) {
    return this.sso.loginOptions(request.hostname);
  }
}
