import { api, expectError, type ApiClient, type ApiResponse, type Gateway, type SignedInUser } from './support/api';
import { type Stack } from './support/stack';
import { currentPasscode, wrongPasscode } from './support/totp';
import { auditOf, challengeFor, enroll, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';
import { useStack } from './support/e2e';

const BURST = 200;
const ALLOWANCE = 5;

/** A client address of its own for each request of a burst, so the per-address limit stays out of the way. */
const addressFor = (i: number) => `${i % 2 === 0 ? '198.51.100' : '203.0.113'}.${((i >> 1) % 250) + 1}`;

/**
 * The guessing allowance under a burst, as an attacker who knows the password sends it: hundreds
 * of guesses at the same instant, on one challenge or many, through two gateway replicas. Of any
 * number sent at once at most five are checked; the rest answer 429 before being checked.
 */
describe('the guessing allowance under concurrency', () => {
  let stack: Stack;
  let gw: Gateway;
  let gateways: ApiClient[];
  let resellerId: string;
  let admin: SignedInUser;

  useStack((started) => ({ stack, gw } = started), { replicas: { auth: 2 } });

  beforeAll(async () => {
    gateways = stack.urls('auth').map((url) => api(url));
    resellerId = (await gw.factory.reseller()).id;
    admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
  });

  const enrolledUser = async () => enroll(await gw.factory.signedInUser({ resellerId }));

  /** Sends `BURST` requests at once, alternating between the gateway copies, each from its own address. */
  function burst(
    path: string,
    bodyFor: (i: number) => object,
    client?: (gateway: ApiClient) => ApiClient,
  ): Promise<ApiResponse[]> {
    return Promise.all(
      Array.from({ length: BURST }, (_, i) => {
        const gateway = gateways[i % gateways.length];
        return (client ? client(gateway) : gateway).post(path, bodyFor(i), {
          headers: { 'x-forwarded-for': addressFor(i) },
        });
      }),
    );
  }

  /** Every answer is either the check's own refusal or 429 too_many_attempts; returns how many were checked. */
  function checkedOf(answers: ApiResponse[], checkedStatus: number, checkedError: string): number {
    const statuses = new Map<string, number>();
    for (const answer of answers) {
      const key = `${answer.status} ${answer.body?.error}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    for (const key of statuses.keys())
      expect([`${checkedStatus} ${checkedError}`, '429 too_many_attempts']).toContain(key);
    for (const answer of answers.filter((a) => a.status === 429))
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    return statuses.get(`${checkedStatus} ${checkedError}`) ?? 0;
  }

  const rejectedInAudit = async (username: string) =>
    (await auditOf(gw, username)).filter((item) => item.event === 'second_factor.rejected').length;

  it(`checks at most ${ALLOWANCE} of ${BURST} wrong passcodes sent at once on one challenge, then refuses the right one`, async () => {
    const user = await enrolledUser();
    const challengeToken = await challengeFor(gw.anon, user);
    const answers = await burst('/auth/login/verify', () => ({
      challengeToken,
      passcode: wrongPasscode(user.authenticator.secret),
    }));
    expect(checkedOf(answers, 401, 'invalid_passcode')).toBeLessThanOrEqual(ALLOWANCE);
    expect(await rejectedInAudit(user.username)).toBeLessThanOrEqual(ALLOWANCE);
    const right = await gw.anon.post('/auth/login/verify', {
      challengeToken,
      passcode: currentPasscode(user.authenticator.secret),
    });
    expectError(right, 429, 'too_many_attempts');
  });

  it(`checks at most ${ALLOWANCE} wrong passcodes of a burst spread over 20 challenges`, async () => {
    const user = await enrolledUser();
    // Signed in from 20 addresses at once: the password allowance is per username and address.
    const challenges = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const answer = await gateways[i % 2].post(
          '/auth/login',
          { username: user.username, password: user.password },
          { headers: { 'x-forwarded-for': addressFor(i) } },
        );
        expect(answer.body.status).toBe('two_factor_required');
        return answer.body.challengeToken as string;
      }),
    );
    const answers = await burst('/auth/login/verify', (i) => ({
      challengeToken: challenges[i % challenges.length],
      passcode: wrongPasscode(user.authenticator.secret),
    }));
    expect(checkedOf(answers, 401, 'invalid_passcode')).toBeLessThanOrEqual(ALLOWANCE);
    expect(await rejectedInAudit(user.username)).toBeLessThanOrEqual(ALLOWANCE);
  });

  it(`checks at most ${ALLOWANCE} wrong recovery codes sent at once`, async () => {
    const user = await enrolledUser();
    const challengeToken = await challengeFor(gw.anon, user);
    const answers = await burst('/auth/login/verify', (i) => ({
      challengeToken,
      recoveryCode: `ZZZZ-ZZZZ-${String(i).padStart(4, '0')}`,
    }));
    expect(checkedOf(answers, 401, 'invalid_passcode')).toBeLessThanOrEqual(ALLOWANCE);
    expect(await rejectedInAudit(user.username)).toBeLessThanOrEqual(ALLOWANCE);
  });

  it(`checks at most ${ALLOWANCE} of ${BURST} wrong passwords for one user from one address, then refuses the right one`, async () => {
    const user = await gw.factory.user({ resellerId });
    const attacker = '198.51.100.77';
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        gateways[i % 2].post(
          '/auth/login',
          { username: user.username, password: `wrong-${i}` },
          { headers: { 'x-forwarded-for': attacker } },
        ),
      ),
    );
    expect(checkedOf(answers, 401, 'invalid_credentials')).toBeLessThanOrEqual(ALLOWANCE);
    const failures = (await auditOf(gw, user.username)).filter(
      (item) => item.event === 'login' && item.outcome === 'failure',
    );
    expect(failures.length).toBeLessThanOrEqual(ALLOWANCE);
    const right = await gw.anon.post(
      '/auth/login',
      { username: user.username, password: user.password },
      { headers: { 'x-forwarded-for': attacker } },
    );
    expectError(right, 429, 'too_many_attempts');
    // The lock is on this address's guesses: the user signs in from their own.
    const own = await gw.anon.post(
      '/auth/login',
      { username: user.username, password: user.password },
      { headers: { 'x-forwarded-for': '203.0.113.200' } },
    );
    expect(own.body.status).toBe('authenticated');
  });

  it('audits every wrong current password on the Profile page as a failed sign-in', async () => {
    const user = await enrolledUser();
    const sent = 40;
    // Each from its own address (the count is per username and address), so none is locked out.
    const answers = await Promise.all(
      Array.from({ length: sent }, (_, i) =>
        gateways[i % 2]
          .as(user.token)
          .post(
            '/auth/2fa/disable',
            { currentPassword: `wrong-${i}`, passcode: currentPasscode(user.authenticator.secret) },
            { headers: { 'x-forwarded-for': addressFor(i) } },
          ),
      ),
    );
    expect(new Set(answers.map((answer) => `${answer.status} ${answer.body?.error}`))).toEqual(
      new Set(['400 invalid_current_password']),
    );
    const failures = (await auditOf(gw, user.username)).filter(
      (item) => item.event === 'login' && item.outcome === 'failure',
    );
    expect(failures).toHaveLength(sent);
    expect(failures[0].detail).toMatchObject({ prompt: 'current_password' });
    expect((await user.client.get('/auth/me')).body.twoFactor.enabled).toBe(true);
  });

  it(`checks at most ${ALLOWANCE} wrong current passwords sent at once from one address, then locks the Profile calls`, async () => {
    const user = await enrolledUser();
    const address = '203.0.113.99';
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        gateways[i % 2]
          .as(user.token)
          .post(
            '/auth/2fa/disable',
            { currentPassword: `wrong-${i}`, passcode: currentPasscode(user.authenticator.secret) },
            { headers: { 'x-forwarded-for': address } },
          ),
      ),
    );
    expect(checkedOf(answers, 400, 'invalid_current_password')).toBeLessThanOrEqual(ALLOWANCE);
    const locks = (await auditOf(gw, user.username)).filter((item) => item.event === 'password.locked');
    expect(locks).toHaveLength(1);
    const right = await user.client.post(
      '/auth/2fa/disable',
      { currentPassword: user.password, passcode: currentPasscode(user.authenticator.secret) },
      { headers: { 'x-forwarded-for': address } },
    );
    expectError(right, 429, 'too_many_attempts');
  });

  it('lets a right passcode through after wrong ones while the allowance lasts, and starts the count afresh', async () => {
    const user: EnrolledUser = await enrolledUser();
    const challengeToken = await challengeFor(gw.anon, user);
    for (let i = 0; i < ALLOWANCE - 1; i++) {
      expectError(
        await gateways[i % 2].post('/auth/login/verify', {
          challengeToken,
          passcode: wrongPasscode(user.authenticator.secret),
        }),
        401,
        'invalid_passcode',
      );
    }
    const right = await gateways[1].post('/auth/login/verify', {
      challengeToken,
      passcode: await user.authenticator.freshPasscode(),
    });
    expect(right.body.status).toBe('authenticated');
    const next = await challengeFor(gw.anon, user);
    for (let i = 0; i < ALLOWANCE - 1; i++) {
      expectError(
        await gw.anon.post('/auth/login/verify', {
          challengeToken: next,
          passcode: wrongPasscode(user.authenticator.secret),
        }),
        401,
        'invalid_passcode',
      );
    }
  });
});
