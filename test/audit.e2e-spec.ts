import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { type Gateway } from './support/api';
import { type Stack } from './support/stack';
import { currentPasscode, wrongPasscode } from './support/totp';
import {
  auditOf,
  challengeFor,
  enroll,
  openTicket,
  approveTicket,
  resolvedTicket,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';
import { useStack } from './support/e2e';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ISSUER = 'https://idp.ringos.example';
const USER_AGENT = 'audit-test-browser/1.0';

/**
 * Every security event of the 2FA life cycle lands in the audit log with who, reseller, client
 * address, user agent, time and outcome; agents read all of it, reseller admins their own.
 */
describe('the audit log', () => {
  let stack: Stack;
  let gw: Gateway;
  let user: EnrolledUser;
  let resellerId: string;

  useStack((started) => ({ stack, gw } = started), {
    serviceEnv: {
      auth: {
        RINGOS_SSO_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        RINGOS_SSO_ISSUER: ISSUER,
      },
    },
  });

  beforeAll(async () => {
    const signedIn = await gw.factory.signedInUser();
    resellerId = signedIn.resellerId!;
    await switchResellerTwoFactor(gw, signedIn, true);
    user = await enroll(signedIn);

    const browser = { headers: { 'user-agent': USER_AGENT } };
    await gw.anon.post('/auth/login', { username: user.username, password: 'not-the-password' }, browser);
    const challenge = await challengeFor(gw.anon, user);
    await gw.anon.post(
      '/auth/login/verify',
      { challengeToken: challenge, passcode: wrongPasscode(user.authenticator.secret) },
      browser,
    );
    await gw.anon.post(
      '/auth/login/verify',
      { challengeToken: challenge, passcode: await user.authenticator.freshPasscode() },
      browser,
    );
    const second = await challengeFor(gw.anon, user);
    await gw.anon.post('/auth/login/verify', { challengeToken: second, recoveryCode: user.recoveryCodes[0] }, browser);
    await user.client.post(
      '/auth/2fa/recovery-codes',
      { currentPassword: user.password, passcode: await user.authenticator.freshPasscode() },
      browser,
    );
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject(user.username)
      .setIssuer(ISSUER)
      .setAudience('pbx-dashboard')
      .setExpirationTime('2m')
      .setJti(randomUUID())
      .sign(privateKey);
    const sso = await gw.anon.post('/auth/sso/ringos', { assertion }, browser);
    await gw.anon.as(sso.body.accessToken).post('/auth/logout', {}, browser);
    await user.client.post(
      '/auth/2fa/disable',
      { currentPassword: user.password, passcode: await user.authenticator.freshPasscode() },
      browser,
    );

    // Locks: five wrong passwords from one address, five wrong second factors.
    for (let i = 0; i < 5; i++)
      await gw.anon.post(
        '/auth/login',
        { username: user.username, password: `wrong-${i}` },
        { headers: { 'x-forwarded-for': '203.0.113.7' } },
      );
    const relocked = await enroll(user);
    const third = await challengeFor(gw.anon, relocked);
    for (let i = 0; i < 5; i++)
      await gw.anon.post('/auth/login/verify', {
        challengeToken: third,
        passcode: wrongPasscode(relocked.authenticator.secret),
      });

    // An admin opens a reset ticket for the user; an agent approves it.
    const admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
    const ticket = await openTicket(admin.client, { type: 'reset_user_2fa', targetUsername: user.username });
    await approveTicket(gw, ticket.id);
    await resolvedTicket(gw, ticket.id);
  });

  const expected: [event: string, outcome: string][] = [
    ['login', 'success'],
    ['login', 'failure'],
    ['second_factor.rejected', 'failure'],
    ['login.second_factor', 'success'],
    ['recovery_code.used', 'success'],
    ['recovery_codes.regenerated', 'success'],
    ['login.sso', 'success'],
    ['logout', 'success'],
    ['two_factor.setup_started', 'success'],
    ['two_factor.activated', 'success'],
    ['two_factor.disabled', 'success'],
    ['password.locked', 'locked'],
    ['second_factor.locked', 'locked'],
    ['two_factor.reset', 'success'],
  ];

  it.each(expected)('records %s with outcome %s, saying who, where from and when', async (event, outcome) => {
    const entries = (await auditOf(gw, user.username)).filter(
      (entry) => entry.event === event && entry.outcome === outcome,
    );
    expect(entries.length).toBeGreaterThan(0);
    const [entry] = entries;
    expect(entry).toMatchObject({ username: user.username, resellerId, at: expect.any(String) });
    expect(Date.now() - Date.parse(entry.at)).toBeLessThan(5 * 60_000);
    if (event === 'two_factor.reset') {
      expect(entry.actor).toBe(stack.agent.username);
    } else {
      expect(entry.clientIp).toEqual(expect.any(String));
    }
  });

  it('keeps the user agent of the browser that acted', async () => {
    const fromBrowser = (await auditOf(gw, user.username)).filter((entry) => entry.userAgent === USER_AGENT);
    expect(new Set(fromBrowser.map((entry) => entry.event))).toEqual(
      new Set([
        'login',
        'second_factor.rejected',
        'login.second_factor',
        'recovery_code.used',
        'recovery_codes.regenerated',
        'login.sso',
        'logout',
        'two_factor.disabled',
      ]),
    );
  });

  it("lets a reseller admin read its own reseller's entries only", async () => {
    const admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
    const own = await admin.client.get('/audit');
    expect(own.status).toBe(200);
    expect(own.body.items.length).toBeGreaterThan(0);
    expect(own.body.items.every((entry: { resellerId: string }) => entry.resellerId === resellerId)).toBe(true);
    const other = await gw.factory.reseller();
    expect((await admin.client.get('/audit', { query: { resellerId: other.id } })).status).toBe(403);
    // The reset ticket ended the user's sessions: a plain user signs in afresh to be refused.
    expect((await gw.anon.as(await gw.login(user.username, user.password)).get('/audit')).status).toBe(403);
  });

  it('never records a secret', async () => {
    const everything = JSON.stringify((await gw.agent.get('/audit', { query: { limit: 500 } })).body);
    expect(everything).not.toContain(user.password);
    expect(everything).not.toContain(user.authenticator.secret);
    expect(everything).not.toContain(user.recoveryCodes[0]);
    expect(everything).not.toContain(currentPasscode(user.authenticator.secret));
  });
});
