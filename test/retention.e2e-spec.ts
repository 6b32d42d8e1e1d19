import { createHash } from 'node:crypto';
import { eventually, expectError, login, type Gateway } from './support/api';
import { SERVICES, type Stack } from './support/stack';
import { challengeFor, enroll, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';
import { query } from './support/wire';
import { useStack } from './support/e2e';

const SCHEMAS = { auth: 'auth', tickets: 'tickets', 'reseller-settings': 'reseller_settings' } as const;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The services remove rows past their use on their own schedule: here every second, keeping
 * nothing past its expiry, so what the medium test shows table by table is seen in running services.
 */
describe('retention in the running services', () => {
  let stack: Stack;
  let gw: Gateway;
  let enrolled: EnrolledUser;

  useStack((started) => ({ stack, gw } = started), {
    env: { RETENTION_INTERVAL_SECONDS: '1', OUTBOX_RETENTION_DAYS: '0', LOG_LEVEL: 'info' },
    serviceEnv: { auth: { SIGN_IN_STATE_RETENTION_MINUTES: '0', SESSION_RETENTION_DAYS: '0' } },
  });

  beforeAll(async () => {
    const resellerId = (await gw.factory.reseller()).id;
    const admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    enrolled = await enroll(await gw.factory.signedInUser({ resellerId }));
  });

  it('removes a login challenge once it has expired, and the live one still signs in', async () => {
    const expiring = await challengeFor(gw.anon, enrolled);
    const live = await challengeFor(gw.anon, enrolled);
    // Five minutes are too long to wait: the challenge is made to expire now.
    await query(
      stack.databaseUrl,
      "UPDATE auth.login_challenges SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
      [tokenHash(expiring)],
    );

    const challenges = () =>
      query<{ hash: string }>(
        stack.databaseUrl,
        'SELECT token_hash AS hash FROM auth.login_challenges WHERE token_hash = ANY($1)',
        [[tokenHash(expiring), tokenHash(live)]],
      );
    await eventually(async () => expect((await challenges()).map((row) => row.hash)).toEqual([tokenHash(live)]), {
      timeoutMs: 15_000,
    });

    expectError(
      await gw.anon.post('/auth/login/verify', { challengeToken: expiring, passcode: '123456' }),
      401,
      'invalid_challenge',
    );
    const verified = await gw.anon.post('/auth/login/verify', {
      challengeToken: live,
      passcode: await enrolled.authenticator.freshPasscode(),
    });
    expect(verified.status).toBe(200);
    const metrics = await (await fetch(`${stack.managementUrls('auth')[0]}/metrics`)).text();
    expect(
      Number(/pbx2fa_retention_rows_removed_total\{table="login_challenges"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(1);
  });

  it('removes a session once it has ended, and keeps the live ones', async () => {
    const user = await gw.factory.user();
    const ended = await login(stack.authUrl, user.username, user.password);
    const live = await login(stack.authUrl, user.username, user.password);
    expect((await gw.anon.as(ended).post('/auth/logout')).status).toBe(204);

    const sessions = () =>
      query<{ revoked: boolean }>(
        stack.databaseUrl,
        'SELECT s.revoked_at IS NOT NULL AS revoked FROM auth.sessions s JOIN auth.users u ON u.id = s.user_id WHERE u.username = $1',
        [user.username],
      );
    await eventually(async () => expect(await sessions()).toEqual([{ revoked: false }]), { timeoutMs: 15_000 });
    expect((await gw.anon.as(live).get('/auth/me')).status).toBe(200);
  });

  it('removes published events from every service outbox, and says so in each log once a second', async () => {
    for (const service of SERVICES) {
      await eventually(
        async () =>
          expect(
            await query(
              stack.databaseUrl,
              `SELECT position FROM ${SCHEMAS[service]}.outbox WHERE published_at IS NOT NULL`,
            ),
          ).toEqual([]),
        { timeoutMs: 15_000 },
      );
      const lines = stack
        .logs(service)
        .split('\n')
        .filter((line) => line.includes('retention: removed rows past retention'));
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.at(-1)).toMatch(/outbox=\d+ inbox=\d+/);
    }
  });
});
