import { expectError, type ApiResponse, type CreatedUser, type Gateway } from './support/api';
import { rawHttp } from './support/raw-http';
import { type Stack } from './support/stack';
import { currentPasscode, wrongPasscode } from './support/totp';
import {
  auditOf,
  challengeFor,
  enroll,
  passwordLogin,
  switchResellerTwoFactor,
  type AuditItem,
  type EnrolledUser,
} from './support/two-factor';
import { useStack } from './support/e2e';

const LOCK_SECONDS = 5 * 60;

/** Guessing is throttled (RFC 4226 §7.3): five wrong in a row lock the door for five minutes. */
describe('throttling wrong passcodes and passwords', () => {
  let stack: Stack;
  let gw: Gateway;
  let resellerId: string;
  let lee: EnrolledUser;
  let rae: EnrolledUser;
  let sam: EnrolledUser;
  let max: EnrolledUser;
  let pat: CreatedUser;
  let lockedAt: number;

  useStack((started) => ({ stack, gw } = started));

  beforeAll(async () => {
    resellerId = (await gw.factory.reseller()).id;
    const admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    [lee, rae, sam, max] = await Promise.all(
      [0, 1, 2, 3].map(async () => enroll(await gw.factory.signedInUser({ resellerId }))),
    );
    pat = await gw.factory.user({ resellerId });
  });

  const verify = (body: object) => gw.anon.post('/auth/login/verify', body);

  function expectLocked(response: ApiResponse, atLeastSeconds = LOCK_SECONDS): number {
    expectError(response, 429, 'too_many_attempts');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(atLeastSeconds);
    expect(retryAfter).toBeLessThanOrEqual(LOCK_SECONDS);
    return retryAfter;
  }

  describe('the second factor', () => {
    it('refuses the 6th try after 5 wrong passcodes in a row with 429 and Retry-After of 5 minutes, even with the right passcode', async () => {
      const challengeToken = await challengeFor(gw.anon, lee);
      for (let attempt = 1; attempt <= 5; attempt++) {
        expectError(
          await verify({ challengeToken, passcode: wrongPasscode(lee.authenticator.secret) }),
          401,
          'invalid_passcode',
        );
      }
      const right = await verify({ challengeToken, passcode: currentPasscode(lee.authenticator.secret) });
      lockedAt = Date.now();
      expectLocked(right);
    });

    it('keeps the lock on a fresh sign-in and for recovery codes, while the password step still answers', async () => {
      const fresh = await passwordLogin(gw.anon, lee);
      expect(fresh.status).toBe(200);
      expect(fresh.body.status).toBe('two_factor_required');
      expectLocked(
        await verify({
          challengeToken: fresh.body.challengeToken,
          passcode: currentPasscode(lee.authenticator.secret),
        }),
      );
      expectLocked(await verify({ challengeToken: fresh.body.challengeToken, recoveryCode: lee.recoveryCodes[0] }));
    });

    it('keeps the lock on the Profile page too', async () => {
      const body = { currentPassword: lee.password, passcode: currentPasscode(lee.authenticator.secret) };
      expectLocked(await lee.client.post('/auth/2fa/disable', body));
      expectLocked(await lee.client.post('/auth/2fa/recovery-codes', body));
      expect((await lee.client.get('/auth/me')).body.twoFactor.enabled).toBe(true);
    });

    it('keeps the lock when the auth service restarts', async () => {
      await stack.restart('auth');
      const challengeToken = await challengeFor(gw.anon, lee);
      const elapsed = Math.ceil((Date.now() - lockedAt) / 1000);
      expectLocked(
        await verify({ challengeToken, passcode: currentPasscode(lee.authenticator.secret) }),
        LOCK_SECONDS - elapsed - 1,
      );
    });

    it('counts wrong recovery codes toward the same lock', async () => {
      const challengeToken = await challengeFor(gw.anon, rae);
      for (let attempt = 1; attempt <= 3; attempt++) {
        expectError(
          await verify({ challengeToken, passcode: wrongPasscode(rae.authenticator.secret) }),
          401,
          'invalid_passcode',
        );
      }
      for (const guess of ['AAAA-BBBB-CCCC', 'ZZZZ-YYYY-XXXX']) {
        expectError(await verify({ challengeToken, recoveryCode: guess }), 401, 'invalid_passcode');
      }
      expectLocked(await verify({ challengeToken, recoveryCode: rae.recoveryCodes[0] }));
    });

    it('counts only failures in a row: a right passcode starts the count again', async () => {
      for (let round = 1; round <= 2; round++) {
        const challengeToken = await challengeFor(gw.anon, sam);
        for (let attempt = 1; attempt <= 4; attempt++) {
          expectError(
            await verify({ challengeToken, passcode: wrongPasscode(sam.authenticator.secret) }),
            401,
            'invalid_passcode',
          );
        }
        const right = await verify({ challengeToken, passcode: await sam.authenticator.freshPasscode() });
        expect(right.status).toBe(200);
        expect(right.body.status).toBe('authenticated');
      }
    });
  });

  describe('the password', () => {
    const signIn = (user: { username: string; password: string }, password: string, localAddress?: string) =>
      rawHttp(`${stack.authUrl}/auth/login`, {
        method: 'POST',
        json: { username: user.username, password },
        localAddress,
      });

    it('refuses the 6th try after 5 wrong passwords for a username and address with 429, even with the right password', async () => {
      for (let attempt = 1; attempt <= 5; attempt++) {
        const wrong = await gw.anon.post('/auth/login', {
          username: pat.username,
          password: `${pat.password}-${attempt}`,
        });
        expectError(wrong, 401, 'invalid_credentials');
      }
      const right = await gw.anon.post('/auth/login', { username: pat.username, password: pat.password });
      expectLocked(right);
    });

    it('still lets the same user in from another address, and other users from the same one', async () => {
      const elsewhere = await signIn(pat, pat.password, '127.0.0.2');
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.body.status).toBe('authenticated');

      const colleague = await gw.factory.user({ resellerId });
      expect((await passwordLogin(gw.anon, colleague)).status).toBe(200);
    });

    it('does not count wrong passwords toward the passcode lock', async () => {
      const challenge = await signIn(max, max.password, '127.0.0.3');
      expect(challenge.body.status).toBe('two_factor_required');
      const challengeToken = challenge.body.challengeToken as string;
      for (let attempt = 1; attempt <= 4; attempt++) {
        expectError(
          await verify({ challengeToken, passcode: wrongPasscode(max.authenticator.secret) }),
          401,
          'invalid_passcode',
        );
      }
      for (let attempt = 1; attempt <= 5; attempt++) {
        expectError(
          await gw.anon.post('/auth/login', { username: max.username, password: `not-${max.password}` }),
          401,
          'invalid_credentials',
        );
      }
      const right = await verify({ challengeToken, passcode: await max.authenticator.freshPasscode() });
      expect(right.status).toBe(200);
      expect(right.body.status).toBe('authenticated');
    });
  });

  describe('the audit log', () => {
    // The contract names no audit event strings, so these checks go by outcome and tell the
    // kinds apart by comparing events with each other rather than by spelling them.
    const withOutcome = (items: AuditItem[], outcome: string) => items.filter((item) => item.outcome === outcome);

    it('records each wrong passcode, recovery code and password, and each lock, with event and outcome', async () => {
      const [leeEvents, raeEvents, patEvents, maxEvents] = await Promise.all(
        [lee, rae, pat, max].map((user) => auditOf(gw, user.username)),
      );

      const leeFailures = withOutcome(leeEvents, 'failure');
      expect(leeFailures).toHaveLength(5);
      const wrongPasscodeEvent = leeFailures[0].event;
      expect(leeFailures.every((item) => item.event === wrongPasscodeEvent)).toBe(true);
      const [leeLock] = withOutcome(leeEvents, 'locked');
      expect(withOutcome(leeEvents, 'locked')).toHaveLength(1);
      expect(leeLock.event).toMatch(/lock/);

      expect(withOutcome(raeEvents, 'failure')).toHaveLength(5);
      expect(withOutcome(raeEvents, 'locked').map((item) => item.event)).toEqual([leeLock.event]);

      const patFailures = withOutcome(patEvents, 'failure');
      expect(patFailures).toHaveLength(5);
      const wrongPasswordEvent = patFailures[0].event;
      expect(patFailures.every((item) => item.event === wrongPasswordEvent)).toBe(true);
      expect(wrongPasswordEvent).not.toBe(wrongPasscodeEvent);
      const patLocks = withOutcome(patEvents, 'locked');
      expect(patLocks).toHaveLength(1);
      expect(patLocks[0].event).toMatch(/lock/);
      expect(patLocks[0].event).not.toBe(leeLock.event);

      const maxFailures = withOutcome(maxEvents, 'failure').map((item) => item.event);
      expect(maxFailures.filter((event) => event === wrongPasscodeEvent)).toHaveLength(4);
      expect(maxFailures.filter((event) => event === wrongPasswordEvent)).toHaveLength(5);

      for (const item of [...leeEvents, ...patEvents])
        expect(item).toMatchObject({ resellerId, username: expect.any(String), at: expect.any(String) });
    });
  });
});
