import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCodes, type ErrorCode } from '@pbx2fa/contracts';
import { AuditEvents, auditSubject } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { Clock } from '../common/clock';
import type { ClientInfo } from '../sessions/access-token.service';
import { AttemptThrottle, secondFactorKey, type ReservedAttempt } from '../throttle/attempt-throttle';
import type { User } from '../users/user.entity';
import { RecoveryCodeRepository } from './recovery-code.repository';
import { SecretBox } from './secret-box';
import { matchPasscode } from './totp';
import { TwoFactorCredentialRepository } from './two-factor-credential.repository';

export const SECRET_BOX = Symbol('SECRET_BOX');

export const WRONG_PASSCODE_MESSAGE =
  'That passcode is not right. The code in Google Authenticator changes every 30 seconds: enter the one it shows now.';
export const REPLAYED_PASSCODE_MESSAGE =
  'That passcode was already used. Codes change every 30 seconds: wait for the next one in Google Authenticator and enter it.';
export const WRONG_RECOVERY_CODE_MESSAGE = 'That recovery code is not valid or has already been used.';
export const WRONG_PASSKEY_MESSAGE =
  'That passkey could not be verified. Use a passkey registered to your account, or another of your sign-in methods.';

export interface SecondFactorProof {
  passcode?: string;
  recoveryCode?: string;
}

export type SecondFactorMethod = 'passcode' | 'recovery_code' | 'passkey';

/** What a second-factor attempt answers when it is wrong: 401 at sign-in, 400 on the account-security page. */
export interface FailureAnswer {
  status: 400 | 401;
  /** `invalid_passcode` unless said otherwise. */
  code?: ErrorCode;
}

/** A check's verdict: true when the answer is right, else the sentence that tells the person what was wrong. */
export type CheckOutcome = true | string;

/** What checking a user's second factor reads first, when the caller already has it: the sealed active secret. */
export interface SecondFactorState {
  activeSecret: string | null;
}
type Verdict = 'accepted' | 'wrong' | 'replayed';

/**
 * Checks a user's second factor against the active authenticator or a recovery code, with the
 * lock after five wrong ones in a row and single use of each passcode step and recovery code.
 * `failureStatus` is 401 at sign-in and 400 on the account-security page.
 */
@Injectable()
export class SecondFactorVerifier {
  constructor(
    private readonly credentials: TwoFactorCredentialRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
    private readonly throttle: AttemptThrottle,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
  ) {}

  async verify(
    user: User,
    proof: SecondFactorProof,
    client: ClientInfo,
    failureStatus: 400 | 401,
    known?: SecondFactorState,
  ): Promise<SecondFactorMethod> {
    const method: SecondFactorMethod = proof.recoveryCode !== undefined ? 'recovery_code' : 'passcode';
    await this.attempt(user, method, client, { status: failureStatus }, async () => {
      const verdict =
        method === 'passcode'
          ? await this.checkPasscode(user.id, proof.passcode ?? '', known ? known.activeSecret : undefined)
          : await this.checkRecoveryCode(user.id, proof.recoveryCode ?? '');
      if (verdict === 'accepted') return true;
      if (verdict === 'replayed') return REPLAYED_PASSCODE_MESSAGE;
      return method === 'passcode' ? WRONG_PASSCODE_MESSAGE : WRONG_RECOVERY_CODE_MESSAGE;
    });
    if (method === 'recovery_code') {
      const remaining = await this.recoveryCodes.countUnused(user.id);
      await this.audit.record({
        ...auditSubject(user, client),
        event: AuditEvents.RecoveryCodeUsed,
        outcome: 'success',
        detail: { remaining },
      });
    }
    return method;
  }

  /**
   * One second-factor attempt of any kind (a passkey's too) under the same lock and audit: the
   * attempt is reserved before `check` runs, a right answer ends the run of failures, and a wrong
   * one is audited (and locks at the fifth) and thrown as `failure` with the check's sentence.
   */
  async attempt(
    user: User,
    method: SecondFactorMethod,
    client: ClientInfo,
    failure: FailureAnswer,
    check: () => Promise<CheckOutcome>,
  ): Promise<void> {
    const attempt = await this.throttle.reserve(secondFactorKey(user.id), 'passcodes');
    const outcome = await check();
    if (outcome === true) {
      await this.throttle.succeeded(attempt);
      return;
    }
    return this.fail(user, client, method, attempt, failure, outcome);
  }

  /** Checks a passcode against a secret being enrolled; a wrong one counts toward the same lock. */
  async verifyPending(user: User, sealedSecret: string, passcode: string, client: ClientInfo): Promise<number> {
    const attempt = await this.throttle.reserve(secondFactorKey(user.id), 'passcodes');
    const match = await matchPasscode(
      this.secretBox.open(sealedSecret, user.id),
      normalizePasscode(passcode),
      this.clock.now(),
    );
    if (match) {
      await this.throttle.succeeded(attempt);
      return match.step;
    }
    return this.fail(user, client, 'passcode', attempt, { status: 400 }, WRONG_PASSCODE_MESSAGE);
  }

  /** `activeSecret` as read by the caller, or undefined to read it here. */
  private async checkPasscode(userId: string, passcode: string, activeSecret?: string | null): Promise<Verdict> {
    const sealed = activeSecret === undefined ? (await this.credentials.find(userId))?.activeSecret : activeSecret;
    if (!sealed) return 'wrong';
    const match = await matchPasscode(
      this.secretBox.open(sealed, userId),
      normalizePasscode(passcode),
      this.clock.now(),
    );
    if (!match) return 'wrong';
    return (await this.credentials.claimStep(userId, match.step)) ? 'accepted' : 'replayed';
  }

  private async checkRecoveryCode(userId: string, recoveryCode: string): Promise<Verdict> {
    return (await this.recoveryCodes.consume(userId, recoveryCode)) ? 'accepted' : 'wrong';
  }

  /** The attempt was counted when it was reserved; what is left is to say so. */
  private async fail(
    user: User,
    client: ClientInfo,
    method: SecondFactorMethod,
    attempt: ReservedAttempt,
    failure: FailureAnswer,
    message: string,
  ): Promise<never> {
    await this.audit.record({
      ...auditSubject(user, client),
      event: AuditEvents.SecondFactorRejected,
      outcome: 'failure',
      detail: { method, consecutiveFailures: attempt.failuresIfWrong },
    });
    if (attempt.locksUntil) {
      // This attempt still hears what was wrong; the lock answers from the next one on.
      await this.audit.record({
        ...auditSubject(user, client),
        event: AuditEvents.SecondFactorLocked,
        outcome: 'locked',
        detail: { until: attempt.locksUntil.toISOString() },
      });
    }
    throw new DomainError(failure.status, failure.code ?? ErrorCodes.InvalidPasscode, message);
  }
}

/** People type "123 456" as often as "123456". */
export function normalizePasscode(passcode: string): string {
  return passcode.replace(/\s/g, '');
}
