import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AccessTokenService } from './access-token.service';
import { bearerToken, type AuthenticatedRequest } from './authenticated-request';
import { IS_PUBLIC } from '@pbx2fa/platform';

/** Every route needs a live session unless it is marked @Public(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request);
    if (!token) throw new DomainError(401, ErrorCodes.Unauthorized, 'Sign in first: send "Authorization: Bearer <accessToken>".');
    const session = await this.tokens.resolve(token);
    if (!session) throw new DomainError(401, ErrorCodes.Unauthorized, 'Your session has ended or the token is not valid; please sign in again.');
    request.session = session;
    request.actor = { userId: session.userId, username: session.username, role: session.role, resellerId: session.resellerId };
    return true;
  }
}
