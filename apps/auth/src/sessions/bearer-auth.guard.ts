import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AccessTokenService } from './access-token.service';
import { bearerToken, type AuthenticatedRequest } from './authenticated-request';
import { ALLOW_ENROLLMENT, enrollmentRequired } from './enrollment-access';
import { IS_PUBLIC } from '@pbx2fa/platform';

/**
 * Every route needs a live session unless it is marked @Public(); an enrollment session is
 * enough only where the route is marked @AllowEnrollment().
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request);
    if (!token)
      throw new DomainError(401, ErrorCodes.Unauthorized, 'Sign in first: send "Authorization: Bearer <accessToken>".');
    const session = await this.tokens.resolve(token);
    if (!session)
      throw new DomainError(
        401,
        ErrorCodes.Unauthorized,
        'Your session has ended or the token is not valid; please sign in again.',
      );
    if (session.purpose === 'enrollment' && !this.reflector.getAllAndOverride<boolean>(ALLOW_ENROLLMENT, targets))
      throw enrollmentRequired();
    request.session = session;
    request.actor = {
      userId: session.userId,
      username: session.username,
      role: session.role,
      resellerId: session.resellerId,
    };
    return true;
  }
}
