import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AuditEvents, auditSubject } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { Clock } from '../common/clock';
import { SecondFactorVerifier } from '../second-factor/second-factor.verifier';
import { TwoFactorCredentialRepository } from '../second-factor/two-factor-credential.repository';
import { AccessTokenService, type ClientInfo, type IssuedToken } from '../sessions/access-token.service';
import { AttemptThrottle, passwordKey } from '../throttle/attempt-throttle';
import { PasswordHasher } from '../users/password-hasher';
import type { User } from '../users/user.entity';
import { UserRepository } from '../users/user.repository';
import { CHALLENGE_TTL_SECONDS, ChallengeRepository } from './challenge.repository';
import type { LoginDto } from './dto/login.dto';
import type { VerifyLoginDto } from './dto/verify-login.dto';

export interface ChallengeIssued {
  status: 'two_factor_required';
  challengeToken: string;
  expiresIn: number;
}

const invalidCredentials = () => new DomainError(401, ErrorCodes.InvalidCredentials, 'The username or password is incorrect.');
const invalidChallenge = () =>
  new DomainError(401, ErrorCodes.InvalidChallenge, 'This sign-in has expired or was already completed. Please sign in again.');

/**
 * Password sign-in, then — when the user's reseller has 2FA on and the user activated it — a
 * short-lived, single-use challenge answered with a passcode or a recovery code.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: AccessTokenService,
    private readonly throttle: AttemptThrottle,
    private readonly challenges: ChallengeRepository,
    private readonly credentials: TwoFactorCredentialRepository,
    private readonly verifier: SecondFactorVerifier,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** An unknown user and a wrong password get the same answer after the same work. */
  async login(body: LoginDto, client: ClientInfo): Promise<IssuedToken | ChallengeIssued> {
    const key = passwordKey(body.username, client.ip);
    const throttleState = await this.throttle.assertOpen(key, 'passwords');
    const user = await this.users.findByUsername(body.username);
    const passwordOk = user ? await this.hasher.verify(user.passwordHash, body.password) : await this.hasher.verifyNobody(body.password);
    if (!user || !passwordOk) return this.failPassword(body.username, user, key, client);
    await this.throttle.recordSuccess(key, throttleState);

    if (await this.requiresSecondFactor(user)) {
      const challengeToken = await this.challenges.create(user.id, this.clock.now());
      return { status: 'two_factor_required', challengeToken, expiresIn: CHALLENGE_TTL_SECONDS };
    }
    await this.audit.record({ ...auditSubject(user, client), event: AuditEvents.Login, outcome: 'success', detail: { amr: 'pwd' } });
    return this.tokens.issue(user, ['pwd'], client);
  }

  async verify(body: VerifyLoginDto, client: ClientInfo): Promise<IssuedToken> {
    const user = await this.challenges.findLiveUser(body.challengeToken, this.clock.now());
    if (!user) throw invalidChallenge();
    const method = await this.verifier.verify(user, { passcode: body.passcode, recoveryCode: body.recoveryCode }, client, 401);
    if (!(await this.challenges.consume(body.challengeToken, this.clock.now()))) throw invalidChallenge();
    await this.audit.record({ ...auditSubject(user, client), event: AuditEvents.LoginSecondFactor, outcome: 'success', detail: { method } });
    return this.tokens.issue(user, method === 'passcode' ? ['pwd', 'otp', 'mfa'] : ['pwd', 'mfa'], client);
  }

  /** Asked when the reseller has 2FA on and the user activated it; a Host header has no say. */
  async requiresSecondFactor(user: User): Promise<boolean> {
    return this.credentials.isRequired(user.id, user.resellerId);
  }

  private async failPassword(username: string, user: User | null, key: string, client: ClientInfo): Promise<never> {
    const outcome = await this.throttle.recordFailure(key);
    const subject = { username, userId: user?.id ?? null, resellerId: user?.resellerId ?? null, clientIp: client.ip, userAgent: client.userAgent };
    await this.audit.record({ ...subject, event: AuditEvents.Login, outcome: 'failure', detail: { consecutiveFailures: outcome.consecutiveFailures } });
    if (outcome.lockedUntil) {
      await this.audit.record({ ...subject, event: AuditEvents.PasswordLocked, outcome: 'locked', detail: { until: outcome.lockedUntil.toISOString() } });
    }
    throw invalidCredentials();
  }
}

