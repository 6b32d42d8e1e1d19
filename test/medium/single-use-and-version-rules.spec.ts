import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '@pbx2fa/persistence';
import { newTestDatabase, type TestDatabase } from '../../libs/persistence/src/testing';
import { InboxEntry, OutboxMessage } from '@pbx2fa/messaging';
import { authEntities } from '../../apps/auth/src/entities';
import { authMigrations } from '../../apps/auth/src/migrations';
import { ResellerPolicyRepository } from '../../apps/auth/src/reseller-policy/reseller-policy.repository';
import { RecoveryCodeRepository } from '../../apps/auth/src/second-factor/recovery-code.repository';
import { RecoveryCodeHasher } from '../../apps/auth/src/second-factor/recovery-codes';
import { TwoFactorCredentialRepository } from '../../apps/auth/src/second-factor/two-factor-credential.repository';
import { ChallengeRepository, challengeTokenHash } from '../../apps/auth/src/login/challenge.repository';
import { PasswordSignInRepository } from '../../apps/auth/src/login/password-sign-in.repository';
import { SessionRepository } from '../../apps/auth/src/sessions/session.repository';
import type { SessionPurpose } from '../../apps/auth/src/sessions/session.entity';
import { AuditEvents } from '../../apps/auth/src/audit/audit-events';

describe('rules enforced by single SQL statements', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = newTestDatabase('rules');
    dataSource = await openServiceDatabase({
      url: database.url,
      schema: 'auth',
      entities: [...authEntities, OutboxMessage, InboxEntry],
      migrations: authMigrations,
    });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function userWithActiveAuthenticator(): Promise<string> {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO users (id, username, password_hash, reseller_id, role) VALUES ($1, $2, 'x', 'acme', 'reseller_user')`,
      [id, `user-${id.slice(0, 8)}`],
    );
    await dataSource.query(
      `INSERT INTO two_factor_credentials (user_id, active_secret, activated_at) VALUES ($1, 'sealed', now())`,
      [id],
    );
    return id;
  }

  describe('the reseller policy copy (version rule)', () => {
    const policies = () => new ResellerPolicyRepository(dataSource);

    it('applies a newer version and ignores a repeated or older one', async () => {
      await policies().applyIfNewer({
        resellerId: 'versioned',
        name: 'Versioned',
        mode: 'optional',
        enrollBy: null,
        version: 3,
      });
      expect(await policies().applyIfNewer({ resellerId: 'versioned', mode: 'off', enrollBy: null, version: 3 })).toBe(
        false,
      );
      expect(await policies().applyIfNewer({ resellerId: 'versioned', mode: 'off', enrollBy: null, version: 2 })).toBe(
        false,
      );
      expect((await policies().find('versioned'))?.twoFactorEnabled).toBe(true);
      expect(await policies().applyIfNewer({ resellerId: 'versioned', mode: 'off', enrollBy: null, version: 4 })).toBe(
        true,
      );
      expect(await policies().find('versioned')).toMatchObject({
        twoFactorEnabled: false,
        version: 4,
        name: 'Versioned',
      });
    });

    it('keeps the newest of events that arrive out of order and at once', async () => {
      const versions = [5, 2, 7, 3, 6, 4];
      await Promise.all(
        versions.map((version) =>
          policies().applyIfNewer({
            resellerId: 'racing',
            mode: version % 2 === 1 ? 'optional' : 'off',
            enrollBy: null,
            version,
          }),
        ),
      );
      expect(await policies().find('racing')).toMatchObject({ version: 7, twoFactorEnabled: true });
    });

    it('does not let a late "created" event reset a known setting', async () => {
      await policies().applyIfNewer({
        resellerId: 'late-created',
        name: 'Late',
        mode: 'optional',
        enrollBy: null,
        version: 2,
      });
      await dataSource.transaction((manager) => policies().recordExisting(manager, 'late-created', 'Late'));
      expect(await policies().find('late-created')).toMatchObject({ version: 2, twoFactorEnabled: true });
    });
  });

  describe('TOTP steps (RFC 6238 §5.2)', () => {
    const credentials = () => new TwoFactorCredentialRepository(dataSource);

    it('accepts a step once, then refuses the same and earlier steps', async () => {
      const userId = await userWithActiveAuthenticator();
      expect(await credentials().claimStep(userId, 1000)).toBe(true);
      expect(await credentials().claimStep(userId, 1000)).toBe(false);
      expect(await credentials().claimStep(userId, 999)).toBe(false);
      expect(await credentials().claimStep(userId, 1001)).toBe(true);
    });

    it('lets exactly one of two racing replicas use a passcode', async () => {
      const userId = await userWithActiveAuthenticator();
      const results = await Promise.all(Array.from({ length: 8 }, () => credentials().claimStep(userId, 5000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('recovery codes', () => {
    it('lets a code be used once, even by racing requests', async () => {
      const userId = await userWithActiveAuthenticator();
      const codes = new RecoveryCodeRepository(
        dataSource,
        RecoveryCodeHasher.fromBase64Keys(randomBytes(32).toString('base64')),
      );
      await dataSource.transaction((manager) => codes.replaceAll(manager, userId, ['hash-a', 'hash-b']));
      const results = await Promise.all(Array.from({ length: 6 }, () => codes.consume(userId, 'hash-a')));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await codes.countUnused(userId)).toBe(1);
    });

    it("counts a user's unused codes beside their methods, in the one read /auth/me makes", async () => {
      const userId = await userWithActiveAuthenticator();
      const codes = new RecoveryCodeRepository(
        dataSource,
        RecoveryCodeHasher.fromBase64Keys(randomBytes(32).toString('base64')),
      );
      const credentials = new TwoFactorCredentialRepository(dataSource);
      expect(await credentials.factorsOf(userId)).toEqual({ methods: ['totp'], recoveryCodesLeft: 0 });
      await dataSource.transaction((manager) => codes.replaceAll(manager, userId, ['a', 'b', 'c']));
      expect(await codes.consume(userId, 'b')).toBe(true);
      expect(await credentials.factorsOf(userId)).toEqual({ methods: ['totp', 'recovery_code'], recoveryCodesLeft: 2 });
      expect(await credentials.factorsOf(randomUUID())).toEqual({ methods: [], recoveryCodesLeft: 0 });
    });

    it('stops old codes working when a new set replaces them', async () => {
      const userId = await userWithActiveAuthenticator();
      const codes = new RecoveryCodeRepository(
        dataSource,
        RecoveryCodeHasher.fromBase64Keys(randomBytes(32).toString('base64')),
      );
      await dataSource.transaction((manager) => codes.replaceAll(manager, userId, ['old']));
      await dataSource.transaction((manager) => codes.replaceAll(manager, userId, ['new']));
      expect(await codes.consume(userId, 'old')).toBe(false);
      expect(await codes.consume(userId, 'new')).toBe(true);
    });
  });

  describe('sign-in: one read before, one statement after', () => {
    const sessionFor = (userId: string, purpose: SessionPurpose = 'access', ttlMs = 60_000) => ({
      id: randomUUID(),
      userId,
      amr: purpose === 'access' ? ['pwd', 'otp', 'mfa'] : ['pwd'],
      purpose,
      expiresAt: new Date(Date.now() + ttlMs),
      clientIp: '203.0.113.9',
      userAgent: 'medium',
    });
    const auditFor = (userId: string) => ({
      event: AuditEvents.LoginSecondFactor,
      outcome: 'success' as const,
      userId,
      username: 'someone',
      detail: { method: 'passcode' },
    });
    const writtenFor = async (userId: string) => {
      const [row] = await dataSource.query(
        `SELECT (SELECT count(*)::int FROM sessions WHERE user_id = $1) AS sessions,
                (SELECT count(*)::int FROM audit_log WHERE user_id = $1) AS audits`,
        [userId],
      );
      return row as { sessions: number; audits: number };
    };

    it('opens one session, with one audit entry, for a challenge answered by racing requests', async () => {
      const userId = await userWithActiveAuthenticator();
      const challenges = new ChallengeRepository(dataSource);
      const token = await challenges.create(userId, new Date());
      const sessions = new SessionRepository(dataSource);
      const opened = await Promise.all(
        Array.from({ length: 6 }, () =>
          sessions.open(sessionFor(userId), auditFor(userId), {
            tokenHash: challengeTokenHash(token),
            now: new Date(),
          }),
        ),
      );
      expect(opened.filter(Boolean)).toHaveLength(1);
      expect(await writtenFor(userId)).toEqual({ sessions: 1, audits: 1 });
      expect(await challenges.findLive(token, new Date())).toBeNull();
    });

    it('opens nothing and writes no audit entry for an expired challenge', async () => {
      const userId = await userWithActiveAuthenticator();
      const challenges = new ChallengeRepository(dataSource);
      const token = await challenges.create(userId, new Date(Date.now() - 10 * 60_000));
      expect(await challenges.findLive(token, new Date())).toBeNull();
      expect(
        await new SessionRepository(dataSource).open(sessionFor(userId), auditFor(userId), {
          tokenHash: challengeTokenHash(token),
          now: new Date(),
        }),
      ).toBe(false);
      expect(await writtenFor(userId)).toEqual({ sessions: 0, audits: 0 });
    });

    const purposeOf = async (sessionId: string) =>
      (
        await dataSource.query('SELECT purpose, revoked_at IS NOT NULL AS revoked FROM sessions WHERE id = $1', [
          sessionId,
        ])
      )[0] as { purpose: string; revoked: boolean };

    it('exchanges an enrollment session for one full session, with one audit entry, when racing requests complete it', async () => {
      const userId = await userWithActiveAuthenticator();
      const sessions = new SessionRepository(dataSource);
      const enrollment = sessionFor(userId, 'enrollment');
      expect(await sessions.open(enrollment, { ...auditFor(userId), event: AuditEvents.LoginEnrollmentRequired })).toBe(
        true,
      );
      const full = Array.from({ length: 6 }, () => sessionFor(userId));
      const exchanged = await Promise.all(
        full.map((session) =>
          sessions.exchangeEnrollment(dataSource.manager, enrollment.id, session, auditFor(userId)),
        ),
      );
      expect(exchanged.filter(Boolean)).toHaveLength(1);
      expect(await writtenFor(userId)).toEqual({ sessions: 2, audits: 2 });
      expect(await purposeOf(enrollment.id)).toEqual({ purpose: 'enrollment', revoked: true });
      expect(await purposeOf(full[exchanged.indexOf(true)].id)).toEqual({ purpose: 'access', revoked: false });
    });

    it('exchanges nothing for an expired enrollment session, nor for a full session passed off as one', async () => {
      const userId = await userWithActiveAuthenticator();
      const sessions = new SessionRepository(dataSource);
      const expired = sessionFor(userId, 'enrollment', -1000);
      const access = sessionFor(userId);
      await sessions.open(expired, auditFor(userId));
      await sessions.open(access, auditFor(userId));
      expect(
        await sessions.exchangeEnrollment(dataSource.manager, expired.id, sessionFor(userId), auditFor(userId)),
      ).toBe(false);
      expect(
        await sessions.exchangeEnrollment(dataSource.manager, access.id, sessionFor(userId), auditFor(userId)),
      ).toBe(false);
      expect(await writtenFor(userId)).toEqual({ sessions: 2, audits: 2 });
      expect(await sessions.findLive(access.id)).toMatchObject({ purpose: 'access' });
    });

    it('reads a live challenge with its user and the sealed secret', async () => {
      const userId = await userWithActiveAuthenticator();
      const challenges = new ChallengeRepository(dataSource);
      const live = await challenges.findLive(await challenges.create(userId, new Date()), new Date());
      expect(live?.user.id).toBe(userId);
      expect(live?.secondFactor).toEqual({ activeSecret: 'sealed' });
    });

    it('reads a password sign-in: unknown users, and whether a passcode is asked', async () => {
      const signIns = new PasswordSignInRepository(dataSource);
      expect(await signIns.find('nobody-at-all')).toEqual({
        user: null,
        secondFactorRequired: false,
        factorMethods: [],
        reseller: null,
        resellerRememberDeviceDays: 0,
      });
      const userId = await userWithActiveAuthenticator();
      const [{ username }] = await dataSource.query('SELECT username FROM users WHERE id = $1', [userId]);
      // The reseller 'acme' has 2FA off in the gateway's copy until a newer version turns it on.
      expect(await signIns.find(username.toUpperCase())).toMatchObject({
        user: { id: userId },
        secondFactorRequired: false,
      });
      await new ResellerPolicyRepository(dataSource).applyIfNewer({
        resellerId: 'acme',
        name: 'Acme',
        mode: 'optional',
        enrollBy: null,
        version: 1,
      });
      expect(await signIns.find(username)).toMatchObject({
        user: { id: userId },
        secondFactorRequired: true,
        factorMethods: ['totp'],
      });
      await dataSource.query(`INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, 'hash')`, [
        randomUUID(),
        userId,
      ]);
      expect(await signIns.find(username)).toMatchObject({ factorMethods: ['totp', 'recovery_code'] });
      await dataSource.query('UPDATE two_factor_credentials SET active_secret = NULL WHERE user_id = $1', [userId]);
      await dataSource.query('UPDATE recovery_codes SET used_at = now() WHERE user_id = $1', [userId]);
      expect(await signIns.find(username)).toMatchObject({ secondFactorRequired: false, factorMethods: [] });
      await new ResellerPolicyRepository(dataSource).applyIfNewer({
        resellerId: 'acme',
        mode: 'off',
        enrollBy: null,
        version: 2,
      });
    });
  });
});
