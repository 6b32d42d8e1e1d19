import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import type { Actor } from '@pbx2fa/contracts';
import { AccessTokenService } from '../sessions/access-token.service';
import { CurrentActor, CurrentSession } from '../sessions/current-actor.decorator';
import type { LiveSession } from '../sessions/session.repository';
import { AccountService } from './account.service';

@Controller('auth')
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly tokens: AccessTokenService,
  ) {}

  @Get('me')
  me(@CurrentActor() actor: Actor) {
    return this.account.me(actor);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentSession() session: LiveSession): Promise<void> {
    await this.tokens.revoke(session.sessionId);
  }
}
