import { rememberedFactor, type Gateway } from './support/api';
import { type Stack } from './support/stack';
import { enroll, signInWithPasscode, switchResellerTwoFactor } from './support/two-factor';
import { useStack } from './support/e2e';

/**
 * Passwords, passcodes, TOTP secrets, tokens and recovery codes never reach a log line — even at
 * the most talkative log level, and even when a request carrying them is refused.
 */
describe('secrets in logs', () => {
  let stack: Stack;
  let gw: Gateway;
  const introspectionSecret = 'introspection-secret-for-the-log-test-0123456789';

  useStack((started) => ({ stack, gw } = started), {
    env: { LOG_LEVEL: 'trace' },
    serviceEnv: { auth: { INTROSPECTION_SECRET: introspectionSecret } },
  });

  beforeAll(async () => {});

  it('writes none of them while a user enrolls, signs in, and is refused', async () => {
    const user = await gw.factory.signedInUser();
    await switchResellerTwoFactor(gw, user, true);
    const enrolled = await enroll(user);
    const fullToken = await signInWithPasscode(gw.anon, enrolled);
    const challenge = (await gw.anon.post('/auth/login', { username: user.username, password: user.password })).body
      .challengeToken;
    const recoveryCode = enrolled.recoveryCodes[0];
    await gw.anon.post('/auth/login/verify', { challengeToken: challenge, recoveryCode });
    await gw.anon.post('/auth/login', { username: user.username, password: `${user.password}-wrong` });
    await gw.anon.post('/users', { username: 'intruder', password: 'a-password-in-a-refused-request' });
    await gw.anon.post(
      '/auth/introspect',
      { token: fullToken },
      { headers: { 'x-introspection-secret': introspectionSecret } },
    );
    await user.client.post('/auth/logout', {});
    const newAgent = await gw.factory.user({ role: 'agent' });
    const enrollmentToken = (
      await gw.anon.post('/auth/login', { username: newAgent.username, password: newAgent.password })
    ).body.enrollmentToken;
    await gw.anon.as(enrollmentToken).get('/tickets');

    const logs = ['auth', 'tickets', 'reseller-settings'].map((service) => stack.logs(service as 'auth')).join('\n');
    expect(logs).toContain(user.username); // the logs did record this user's requests
    const secrets = {
      password: user.password,
      wrongPassword: `${user.password}-wrong`,
      refusedPassword: 'a-password-in-a-refused-request',
      agentPassword: stack.agent.password,
      totpSecret: enrolled.authenticator.secret,
      accessToken: user.token,
      fullToken,
      agentToken: gw.agentToken,
      agentTotpSecret: rememberedFactor(stack.authUrl, stack.agent.username)!.authenticator.secret,
      enrollmentToken,
      challenge,
      introspectionSecret,
      ...Object.fromEntries(enrolled.recoveryCodes.map((code, index) => [`recoveryCode${index}`, code])),
    };
    const leaked = Object.entries(secrets).filter(([, secret]) => logs.includes(secret));
    expect(leaked.map(([name]) => name)).toEqual([]);
    expect(logs).not.toMatch(/"passcode"\s*:\s*"\d{6}"/);
  });
});
