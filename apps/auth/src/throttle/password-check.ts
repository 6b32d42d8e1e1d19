import { Injectable } from '@nestjs/common';
import { AuditEvents } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import type { ClientInfo } from '../sessions/access-token.service';
import { clientAddressKey } from '../sign-in-limits/client-address';
import { PasswordHasher } from '../users/password-hasher';
import type { User } from '../users/user.entity';
import { AttemptThrottle, passwordKey } from './attempt-throttle';

/** Where a password was typed: the sign-in form, or a Profile call that asks for the current one. */
export type PasswordPrompt = 'sign_in' | 'current_password';

/**
 * Checks a password the way sign-in does, wherever it is asked: the attempt is reserved on the
 * username-and-address allowance before the hash is computed, and a wrong one is audited as a
 * failed sign-in (and as a lock when it was the fifth in a row). Throws 429 while locked, and
 * 503 busy, before anything is counted, when more checks wait than the hasher does in a second.
 */
@Injectable()
export class PasswordCheck {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly throttle: AttemptThrottle,
    private readonly audit: AuditLog,
  ) {}

  /** `user` is null for an unknown username, which costs the same hash and is counted the same. */
  async verify(
    username: string,
    user: User | null,
    password: string,
    client: ClientInfo,
    prompt: PasswordPrompt,
  ): Promise<boolean> {
    this.hasher.assertCapacity();
    const attempt = await this.throttle.reserve(passwordKey(username, client.ip), 'passwords');
    let right: boolean;
    try {
      const lane = clientAddressKey(client.ip);
      right = user
        ? await this.hasher.verify(user.passwordHash, password, lane)
        : await this.hasher.verifyNobody(password, lane);
    } catch (error) {
      // Busy, most likely: the password was never checked, so it must not count against anyone.
      await this.throttle.release(attempt);
      throw error;
    }
    if (right) {
      await this.throttle.succeeded(attempt);
      return true;
    }
    const subject = {
      username,
      userId: user?.id ?? null,
      resellerId: user?.resellerId ?? null,
      clientIp: client.ip,
      userAgent: client.userAgent,
    };
    await this.audit.record({
      ...subject,
      event: AuditEvents.Login,
      outcome: 'failure',
      detail: { consecutiveFailures: attempt.failuresIfWrong, prompt },
    });
    if (attempt.locksUntil) {
      await this.audit.record({
        ...subject,
        event: AuditEvents.PasswordLocked,
        outcome: 'locked',
        detail: { until: attempt.locksUntil.toISOString(), prompt },
      });
    }
    return false;
  }
}
