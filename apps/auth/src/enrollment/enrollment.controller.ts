import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '@pbx2fa/contracts';
import { clientInfo } from '../common/correlation-id';
import { EmptyDto } from '../gateway/dto/ticket.dto';
import { CurrentActor } from '../sessions/current-actor.decorator';
import { ActivateTwoFactorDto, PasswordAndPasscodeDto, PasswordAndSecondFactorDto } from './dto/enrollment.dto';
import { EnrollmentService } from './enrollment.service';

@Controller('auth/2fa')
export class EnrollmentController {
  constructor(private readonly enrollment: EnrollmentService) {}

  @Post('setup')
  setup(@CurrentActor() actor: Actor, @Body() _body: EmptyDto, @Req() request: Request) {
    return this.enrollment.setup(actor, clientInfo(request));
  }

  @Post('activate')
  @HttpCode(200)
  activate(@CurrentActor() actor: Actor, @Body() body: ActivateTwoFactorDto, @Req() request: Request) {
    return this.enrollment.activate(actor, body, clientInfo(request));
  }

  @Post('disable')
  @HttpCode(200)
  disable(@CurrentActor() actor: Actor, @Body() body: PasswordAndSecondFactorDto, @Req() request: Request) {
    return this.enrollment.disable(actor, body, clientInfo(request));
  }

  @Post('recovery-codes')
  @HttpCode(200)
  recoveryCodes(@CurrentActor() actor: Actor, @Body() body: PasswordAndPasscodeDto, @Req() request: Request) {
    return this.enrollment.regenerateRecoveryCodes(actor, body, clientInfo(request));
  }
}
