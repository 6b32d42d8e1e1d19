import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '@pbx2fa/contracts';
import { AuditEvents } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { clientInfo } from '../common/correlation-id';
import { AccessTokenService } from '../sessions/access-token.service';
import { CurrentActor } from '../common/current-actor.decorator';
import { CurrentSession } from '../sessions/current-session.decorator';
import { AllowEnrollment } from '../sessions/enrollment-access';
import type { LiveSession } from '../sessions/session.repository';
import { AccountService } from './account.service';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-errors.decorator';
import { MeResponse } from '../docs/responses';

@ApiTags('sign-in')
@ApiBearerAuth('bearer')
@Controller('auth')
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly tokens: AccessTokenService,
    private readonly audit: AuditLog,
  ) {}

  @ApiOperation({ summary: 'Who is signed in, and where their 2FA stands' })
  @ApiOkResponse({ type: MeResponse })
  @ApiErrors()
  @Get('me')
  me(@CurrentActor() actor: Actor) {
    return this.account.me(actor);
  }

  @ApiOperation({
    summary: 'End this session; the token stops working at once',
    description: 'An enrollmentToken may log out too (giving up the set-up).',
  })
  @ApiNoContentResponse()
  @ApiErrors()
  @AllowEnrollment()
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentSession() session: LiveSession, @Req() request: Request): Promise<void> {
    await this.tokens.revoke(session.sessionId);
    const client = clientInfo(request);
    await this.audit.record({
      event: AuditEvents.Logout,
      outcome: 'success',
      username: session.username,
      userId: session.userId,
      resellerId: session.resellerId,
      clientIp: client.ip,
      userAgent: client.userAgent,
    });
  }
}
