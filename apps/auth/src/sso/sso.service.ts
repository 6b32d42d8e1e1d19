import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AuditEvents, auditSubject } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { AccessTokenService, type ClientInfo, type IssuedToken } from '../sessions/access-token.service';
import { UserRepository } from '../users/user.repository';
import { RingosAssertionVerifier } from './ringos-assertion.verifier';
import { UsedAssertionRepository } from './used-assertion.repository';

/**
 * RingOS single sign-on: the identity provider did the second factor, so a verified assertion
 * starts a session without a passcode. Only the assertion waives it — never the Host header.
 */
@Injectable()
export class SsoService {
  constructor(
    private readonly verifier: RingosAssertionVerifier,
    private readonly usedAssertions: UsedAssertionRepository,
    private readonly users: UserRepository,
    private readonly tokens: AccessTokenService,
    private readonly audit: AuditLog,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async signIn(assertion: string, client: ClientInfo): Promise<IssuedToken> {
    let verified;
    try {
      verified = await this.verifier.verify(assertion);
    } catch (error) {
      await this.audit.record({
        event: AuditEvents.SsoLogin,
        outcome: 'failure',
        clientIp: client.ip,
        userAgent: client.userAgent,
        detail: { reason: (error as Error).message },
      });
      throw error;
    }
    const user = await this.users.findByUsername(verified.username);
    const fresh = user !== null && (await this.usedAssertions.claim(verified.jti, verified.expiresAt));
    if (!user || !fresh) {
      const reason = user ? 'replayed' : 'unknown user';
      await this.audit.record({
        event: AuditEvents.SsoLogin,
        outcome: 'failure',
        username: verified.username,
        clientIp: client.ip,
        userAgent: client.userAgent,
        detail: { reason },
      });
      throw new DomainError(
        401,
        ErrorCodes.InvalidAssertion,
        user
          ? 'This RingOS sign-in was already used. Please sign in again from RingOS.'
          : 'There is no dashboard account for this RingOS user.',
      );
    }
    return this.tokens.issue(user, ['sso'], client, {
      ...auditSubject(user, client),
      event: AuditEvents.SsoLogin,
      outcome: 'success',
    });
  }

  /** Whether the dashboard was reached on a RingOS host, so it can show the SSO option. */
  loginOptions(hostname: string | undefined): { sso: boolean } {
    const host = (hostname ?? '').toLowerCase().replace(/:\d+$/, '');
    return { sso: this.config.ringosHosts.includes(host) };
  }
}
