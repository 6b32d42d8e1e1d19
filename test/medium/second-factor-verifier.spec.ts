import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AuditEvents } from '../../apps/auth/src/audit/audit-events';
import { AuditLog } from '../../apps/auth/src/audit/audit-log';
import { RecoveryCodeRepository } from '../../apps/auth/src/second-factor/recovery-code.repository';
import { newRecoveryCodes, RecoveryCodeHasher } from '../../apps/auth/src/second-factor/recovery-codes';
import {
  normalizePasscode,
  REPLAYED_PASSCODE_MESSAGE,
  SecondFactorVerifier,
  WRONG_PASSCODE_MESSAGE,
  WRONG_RECOVERY_CODE_MESSAGE,
  type SecondFactorProof,
} from '../../apps/auth/src/second-factor/second-factor.verifier';
import { SecretBox } from '../../apps/auth/src/second-factor/secret-box';
import { newTotpSecret } from '../../apps/auth/src/second-factor/totp';
import { TwoFactorCredentialRepository } from '../../apps/auth/src/second-factor/two-factor-credential.repository';
import { AttemptThrottle, secondFactorKey } from '../../apps/auth/src/throttle/attempt-throttle';
import type { User } from '../../apps/auth/src/users/user.entity';
import { passcodeForStep } from '../support/totp';
import { openMediumDatabase, type MediumDatabase } from './support/databases';
import { MovableClock } from './support/movable-clock';

const START = new Date('2026-11-28T12:00:10Z'); // 10 s into its 30-second step
const stepAt = (at: Date) => Math.floor(at.getTime() / 30_000);
const client = { ip: '203.0.113.7', userAgent: 'medium-test' };

describe('SecondFactorVerifier against PostgreSQL', () => {
  let db: MediumDatabase;
  let dataSource: DataSource;
  let clock: MovableClock;
  let verifier: SecondFactorVerifier;
  let throttle: AttemptThrottle;
  const key = randomBytes(32).toString('base64');
  const box = SecretBox.fromBase64Keys(key);
  const hasher = RecoveryCodeHasher.fromBase64Keys(key);

  beforeAll(async () => {
    db = await openMediumDatabase('auth', 'verifier');
    dataSource = db.dataSource;
  });

  afterAll(() => db?.close());

  beforeEach(() => {
    clock = new MovableClock(START);
    throttle = new AttemptThrottle(dataSource, clock);
    verifier = new SecondFactorVerifier(
      new TwoFactorCredentialRepository(dataSource),
      new RecoveryCodeRepository(dataSource, hasher),
      throttle,
      new AuditLog(dataSource),
      clock,
      box,
    );
  });

  interface Enrolled {
    user: User;
    secret: string;
    sealed: string;
    /** The passcode the user's authenticator shows `offset` steps from the clock's now. */
    passcode(offset?: number): string;
  }

  /** A user of reseller acme with an active authenticator (and recovery codes when given). */
  async function enrolledUser(options: { active?: boolean; recoveryCodes?: string[] } = {}): Promise<Enrolled> {
    const id = randomUUID();
    const user = { id, username: `user-${id.slice(0, 8)}`, resellerId: 'acme', role: 'reseller_user' } as User;
    await dataSource.query(
      `INSERT INTO users (id, username, password_hash, reseller_id, role) VALUES ($1, $2, 'x', 'acme', 'reseller_user')`,
      [id, user.username],
    );
    const secret = newTotpSecret();
    const sealed = box.seal(secret, id);
    if (options.active !== false) {
      await dataSource.query(
        'INSERT INTO two_factor_credentials (user_id, active_secret, activated_at) VALUES ($1, $2, now())',
        [id, sealed],
      );
    }
    if (options.recoveryCodes) {
      await dataSource.transaction((manager) =>
        new RecoveryCodeRepository(dataSource, hasher).replaceAll(manager, id, options.recoveryCodes!),
      );
    }
    return {
      user,
      secret,
      sealed,
      passcode: (offset = 0) => passcodeForStep(secret, stepAt(clock.now()) + offset),
    };
  }

  /** A passcode no step near now shows. */
  function wrongPasscode(enrolled: Enrolled): string {
    const near = new Set([-2, -1, 0, 1, 2].map((offset) => enrolled.passcode(offset)));
    let candidate = Number(enrolled.passcode()) + 1;
    while (near.has(String(candidate % 1_000_000).padStart(6, '0'))) candidate++;
    return String(candidate % 1_000_000).padStart(6, '0');
  }

  async function refusal(work: Promise<unknown>): Promise<DomainError> {
    try {
      await work;
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
    throw new Error('expected the second factor to be refused');
  }

  const verify = (enrolled: Enrolled, proof: SecondFactorProof, status: 400 | 401 = 401) =>
    verifier.verify(enrolled.user, proof, client, status);

  const auditOf = (userId: string) =>
    dataSource.query(
      'SELECT event, outcome, username, user_id, reseller_id, client_ip, user_agent, detail FROM audit_log WHERE user_id = $1 ORDER BY id',
      [userId],
    );

  const lastUsedStep = async (userId: string) =>
    (await new TwoFactorCredentialRepository(dataSource).find(userId))?.lastUsedStep ?? null;

  const failuresSoFar = async (userId: string): Promise<number> => {
    const rows: { consecutive_failures: number }[] = await dataSource.query(
      'SELECT consecutive_failures FROM attempt_throttles WHERE key = $1',
      [secondFactorKey(userId)],
    );
    return rows[0]?.consecutive_failures ?? 0;
  };

  describe('passcodes', () => {
    it('accepts the passcode shown now, records its step and leaves no failure behind', async () => {
      const alice = await enrolledUser();
      expect(await verify(alice, { passcode: alice.passcode() })).toBe('passcode');
      expect(await lastUsedStep(alice.user.id)).toBe(String(stepAt(START)));
      expect(await failuresSoFar(alice.user.id)).toBe(0);
      expect(await auditOf(alice.user.id)).toEqual([]);
    });

    it('accepts the passcode of the step before and after, as the clock may drift', async () => {
      const early = await enrolledUser();
      expect(await verify(early, { passcode: early.passcode(-1) })).toBe('passcode');
      const late = await enrolledUser();
      expect(await verify(late, { passcode: late.passcode(1) })).toBe('passcode');
      expect(await lastUsedStep(late.user.id)).toBe(String(stepAt(START) + 1));
    });

    it('reads the passcode the way people type it: "123 456", or with a tab', async () => {
      const alice = await enrolledUser();
      const code = alice.passcode();
      expect(await verify(alice, { passcode: ` ${code.slice(0, 3)} ${code.slice(3)}\t` })).toBe('passcode');
      expect(normalizePasscode(' 12 34\t56\n')).toBe('123456');
    });

    it('refuses a wrong passcode with 401 (sign-in) or 400 (account page), the article’s message, and counts it', async () => {
      const alice = await enrolledUser();
      const atSignIn = await refusal(verify(alice, { passcode: wrongPasscode(alice) }));
      expect(atSignIn.toBody()).toEqual({
        statusCode: 401,
        error: ErrorCodes.InvalidPasscode,
        message: WRONG_PASSCODE_MESSAGE,
      });
      const onAccountPage = await refusal(verify(alice, { passcode: wrongPasscode(alice) }, 400));
      expect(onAccountPage.statusCode).toBe(400);
      expect(await failuresSoFar(alice.user.id)).toBe(2);
      expect(await auditOf(alice.user.id)).toEqual(
        [1, 2].map((consecutiveFailures) => ({
          event: AuditEvents.SecondFactorRejected,
          outcome: 'failure',
          username: alice.user.username,
          user_id: alice.user.id,
          reseller_id: 'acme',
          client_ip: client.ip,
          user_agent: client.userAgent,
          detail: { method: 'passcode', consecutiveFailures },
        })),
      );
    });

    it('refuses a passcode missing altogether as wrong', async () => {
      const alice = await enrolledUser();
      expect((await refusal(verify(alice, {}))).message).toBe(WRONG_PASSCODE_MESSAGE);
    });

    it('refuses any passcode of a user without an active authenticator, counting it', async () => {
      const nobody = await enrolledUser({ active: false });
      expect((await refusal(verify(nobody, { passcode: nobody.passcode() }))).message).toBe(WRONG_PASSCODE_MESSAGE);
      expect(await failuresSoFar(nobody.user.id)).toBe(1);
    });
  });

  describe('single use of a passcode (RFC 6238 §5.2)', () => {
    it('refuses the same passcode a second time, saying it was used, and counts that as a failure', async () => {
      const alice = await enrolledUser();
      const code = alice.passcode();
      await verify(alice, { passcode: code });
      const replayed = await refusal(verify(alice, { passcode: code }));
      expect(replayed.toBody()).toEqual({
        statusCode: 401,
        error: ErrorCodes.InvalidPasscode,
        message: REPLAYED_PASSCODE_MESSAGE,
      });
      expect(await failuresSoFar(alice.user.id)).toBe(1);
      expect(await auditOf(alice.user.id)).toMatchObject([
        { event: AuditEvents.SecondFactorRejected, detail: { method: 'passcode', consecutiveFailures: 1 } },
      ]);
    });

    it('refuses an earlier step once a later one was used', async () => {
      const alice = await enrolledUser();
      await verify(alice, { passcode: alice.passcode(1) });
      expect((await refusal(verify(alice, { passcode: alice.passcode() }))).message).toBe(REPLAYED_PASSCODE_MESSAGE);
      clock.advance(30);
      expect(await verify(alice, { passcode: alice.passcode(1) })).toBe('passcode');
    });

    it('lets exactly one of racing requests with one passcode through', async () => {
      const alice = await enrolledUser();
      const code = alice.passcode();
      const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => verify(alice, { passcode: code })));
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect((outcome.reason as Error).message).toBe(REPLAYED_PASSCODE_MESSAGE);
      }
    });
  });

  describe('the lock after five wrong answers in a row', () => {
    it('locks with the fifth wrong passcode, records the lock, and then refuses even the right one with 429', async () => {
      const alice = await enrolledUser();
      for (let i = 0; i < 5; i++) await refusal(verify(alice, { passcode: wrongPasscode(alice) }));
      const locked = await refusal(verify(alice, { passcode: alice.passcode() }));
      expect(locked.toBody()).toEqual({
        statusCode: 429,
        error: ErrorCodes.TooManyAttempts,
        message: 'Too many wrong passcodes in a row. For your security, try again in 5 minutes.',
      });
      const audit = await auditOf(alice.user.id);
      expect(audit.map((entry: { event: string }) => entry.event)).toEqual([
        ...Array<string>(5).fill(AuditEvents.SecondFactorRejected),
        AuditEvents.SecondFactorLocked,
      ]);
      expect(audit[5]).toMatchObject({
        outcome: 'locked',
        user_id: alice.user.id,
        client_ip: client.ip,
        detail: { until: new Date(START.getTime() + 5 * 60_000).toISOString() },
      });
      expect(await lastUsedStep(alice.user.id)).toBeNull();
    });

    it('the fifth wrong answer still hears what was wrong', async () => {
      const alice = await enrolledUser();
      for (let i = 0; i < 4; i++) await refusal(verify(alice, { passcode: wrongPasscode(alice) }));
      expect((await refusal(verify(alice, { passcode: wrongPasscode(alice) }))).message).toBe(WRONG_PASSCODE_MESSAGE);
    });

    it('a right passcode gives back the run: four more wrong ones do not lock', async () => {
      const alice = await enrolledUser();
      for (let i = 0; i < 4; i++) await refusal(verify(alice, { passcode: wrongPasscode(alice) }));
      await verify(alice, { passcode: alice.passcode() });
      expect(await failuresSoFar(alice.user.id)).toBe(0);
      for (let i = 0; i < 4; i++) {
        expect((await refusal(verify(alice, { passcode: wrongPasscode(alice) }))).statusCode).toBe(401);
      }
      const events = (await auditOf(alice.user.id)).map((entry: { event: string }) => entry.event);
      expect(events).not.toContain(AuditEvents.SecondFactorLocked);
      expect(await failuresSoFar(alice.user.id)).toBe(4);
    });

    it('a right recovery code gives back the run too', async () => {
      const codes = newRecoveryCodes(2);
      const alice = await enrolledUser({ recoveryCodes: codes });
      for (let i = 0; i < 4; i++) await refusal(verify(alice, { passcode: wrongPasscode(alice) }));
      await verify(alice, { recoveryCode: codes[0] });
      expect(await failuresSoFar(alice.user.id)).toBe(0);
    });

    it('counts wrong passcodes and wrong recovery codes in one run', async () => {
      const alice = await enrolledUser({ recoveryCodes: newRecoveryCodes(1) });
      for (let i = 0; i < 4; i++) await refusal(verify(alice, { passcode: wrongPasscode(alice) }));
      await refusal(verify(alice, { recoveryCode: 'AAAA-BBBB-CCCC' }));
      expect((await refusal(verify(alice, { passcode: alice.passcode() }))).statusCode).toBe(429);
    });
  });

  describe('recovery codes', () => {
    it('accepts a recovery code once, typed any way, and records how many are left', async () => {
      const codes = newRecoveryCodes(3);
      const alice = await enrolledUser({ recoveryCodes: codes });
      expect(await verify(alice, { recoveryCode: codes[1].toLowerCase().replace(/-/g, ' ') })).toBe('recovery_code');
      expect(await auditOf(alice.user.id)).toEqual([
        {
          event: AuditEvents.RecoveryCodeUsed,
          outcome: 'success',
          username: alice.user.username,
          user_id: alice.user.id,
          reseller_id: 'acme',
          client_ip: client.ip,
          user_agent: client.userAgent,
          detail: { remaining: 2 },
        },
      ]);
      const again = await refusal(verify(alice, { recoveryCode: codes[1] }));
      expect(again.toBody()).toEqual({
        statusCode: 401,
        error: ErrorCodes.InvalidPasscode,
        message: WRONG_RECOVERY_CODE_MESSAGE,
      });
      expect((await auditOf(alice.user.id))[1]).toMatchObject({
        event: AuditEvents.SecondFactorRejected,
        detail: { method: 'recovery_code', consecutiveFailures: 1 },
      });
    });

    it('takes an empty recovery code as a recovery code, and refuses it', async () => {
      const alice = await enrolledUser({ recoveryCodes: newRecoveryCodes(1) });
      expect((await refusal(verify(alice, { recoveryCode: '', passcode: alice.passcode() }))).message).toBe(
        WRONG_RECOVERY_CODE_MESSAGE,
      );
    });
  });

  describe('the active secret the caller already read', () => {
    it('checks against what the caller read, not what the table holds', async () => {
      const alice = await enrolledUser();
      const refused = verifier.verify(alice.user, { passcode: alice.passcode() }, client, 401, { activeSecret: null });
      expect((await refusal(refused)).message).toBe(WRONG_PASSCODE_MESSAGE);
      expect(
        await verifier.verify(alice.user, { passcode: alice.passcode() }, client, 401, { activeSecret: alice.sealed }),
      ).toBe('passcode');
    });
  });

  describe('a secret being enrolled (verifyPending)', () => {
    it('answers the step of a right passcode, without claiming it, and gives back the run', async () => {
      const bob = await enrolledUser({ active: false });
      await refusal(verifier.verifyPending(bob.user, bob.sealed, wrongPasscode(bob), client));
      expect(await verifier.verifyPending(bob.user, bob.sealed, bob.passcode(-1), client)).toBe(stepAt(START) - 1);
      expect(await failuresSoFar(bob.user.id)).toBe(0);
      const code = bob.passcode();
      expect(await verifier.verifyPending(bob.user, bob.sealed, `${code.slice(0, 3)} ${code.slice(3)}`, client)).toBe(
        stepAt(START),
      );
    });

    it('refuses a wrong passcode with 400 and counts it toward the same lock', async () => {
      const bob = await enrolledUser({ active: false });
      const wrong = await refusal(verifier.verifyPending(bob.user, bob.sealed, wrongPasscode(bob), client));
      expect(wrong.toBody()).toEqual({
        statusCode: 400,
        error: ErrorCodes.InvalidPasscode,
        message: WRONG_PASSCODE_MESSAGE,
      });
      for (let i = 0; i < 4; i++)
        await refusal(verifier.verifyPending(bob.user, bob.sealed, wrongPasscode(bob), client));
      expect((await refusal(verifier.verifyPending(bob.user, bob.sealed, bob.passcode(), client))).statusCode).toBe(
        429,
      );
      expect((await auditOf(bob.user.id)).at(-1)).toMatchObject({ event: AuditEvents.SecondFactorLocked });
    });
  });
});
