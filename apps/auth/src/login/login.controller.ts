import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { clientInfo } from '../common/correlation-id';
import { Public } from '@pbx2fa/platform';
import { LoginDto } from './dto/login.dto';
import { VerifyLoginDto } from './dto/verify-login.dto';
import { LoginService } from './login.service';

@Controller('auth/login')
export class LoginController {
  constructor(private readonly login: LoginService) {}

  @Public()
  @Post()
  @HttpCode(200)
  signIn(@Body() body: LoginDto, @Req() request: Request) {
    return this.login.login(body, clientInfo(request));
  }

  @Public()
  @Post('verify')
  @HttpCode(200)
  verify(@Body() body: VerifyLoginDto, @Req() request: Request) {
    return this.login.verify(body, clientInfo(request));
  }
}
