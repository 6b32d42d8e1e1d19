import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  api,
  connect,
  expectError,
  rememberedFactor,
  takeServerErrors,
  type ApiClient,
  type ApiResponse,
  type CreatedUser,
  type Gateway,
} from './support/api';
import { hs256, compactJws } from './support/jwt';
import { startStack, type Stack } from './support/stack';
import { Authenticator, awayFromStepEdge, passcodeForStep, stepAt, wrongPasscode } from './support/totp';
import { startSetup, type SetupView } from './support/two-factor';

const JWT_SECRET = randomBytes(32).toString('hex');

/**
 * Agents approve what turns 2FA off for any reseller, so an agent always has a second factor: one
 * without gets `enrollment_required` at sign-in, an enrollment token that is good only for setting
 * one up, and activating it completes the sign-in.
 */
describe('a second factor for agents', () => {
  let stack: Stack;
  let gw: Gateway;
  /** What the bootstrap agent's very first sign-in answered, before anything else signed it in. */
  let bootstrapFirstSignIn: ApiResponse;

  beforeAll(async () => {
    stack = await startStack({ env: { JWT_SECRET } });
    bootstrapFirstSignIn = await api(stack.authUrl).post('/auth/login', {
      username: stack.agent.username,
      password: stack.agent.password,
    });
    gw = await connect(stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  afterEach(() => {
    expect(takeServerErrors()).toEqual([]);
  });

  const signIn = (user: { username: string; password: string }) =>
    gw.anon.post('/auth/login', { username: user.username, password: user.password });
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

  async function enrollmentTokenFor(agent: { username: string; password: string }): Promise<string> {
    const response = await signIn(agent);
    expect(response.body?.status).toBe('enrollment_required');
    return response.body.enrollmentToken;
  }

  /** Set-up and activation with the previous step's passcode, as the tests' phone does it. */
  async function activate(
    enrolling: ApiClient,
    password: string,
    setup: SetupView,
  ): Promise<{ response: ApiResponse; authenticator: Authenticator }> {
    await awayFromStepEdge();
    const step = stepAt() - 1;
    const response = await enrolling.post('/auth/2fa/activate', {
      passcode: passcodeForStep(setup.secret, step),
      currentPassword: password,
    });
    return { response, authenticator: new Authenticator(setup.secret, step) };
  }

  async function withDatabase<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  describe('an agent without a second factor', () => {
    let agent: CreatedUser;
    let enrolling: ApiClient;

    beforeAll(async () => {
      agent = await gw.factory.user({ role: 'agent' });
    });

    it('gets enrollment_required with reason agent for the right password, and no access token', async () => {
      const response = await signIn(agent);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'enrollment_required',
        enrollmentToken: expect.any(String),
        expiresIn: expect.any(Number),
        reason: 'agent',
      });
      expect(response.body.expiresIn).toBeGreaterThan(0);
      expect(response.body.expiresIn).toBeLessThanOrEqual(600);
      enrolling = gw.anon.as(response.body.enrollmentToken);
    });

    it('gets invalid_credentials for a wrong password, like everyone', async () => {
      expectError(await signIn({ ...agent, password: `${agent.password}-typo` }), 401, 'invalid_credentials');
    });

    it('cannot use the enrollment token for anything but setting up a factor: 403 enrollment_required', async () => {
      const refused = [
        await enrolling.get('/auth/me'),
        await enrolling.get('/tickets'),
        await enrolling.post('/tickets', {
          type: 'general',
          subject: 'Opened with an enrollment token',
          resellerId: 'nobody',
        }),
        await enrolling.post('/users', {
          username: `made-${agent.username}`,
          password: 'Some-Strong-Passw0rd!',
          role: 'agent',
        }),
        await enrolling.get('/audit'),
        await enrolling.post('/resellers', { id: `r-${agent.id.slice(0, 8)}`, name: 'Made with an enrollment token' }),
        await enrolling.post('/auth/2fa/disable', { currentPassword: agent.password, passcode: '123456' }),
        await enrolling.post('/auth/2fa/recovery-codes', { currentPassword: agent.password, passcode: '123456' }),
        await enrolling.post('/auth/introspect', { token: gw.agentToken }),
      ];
      for (const response of refused) expectError(response, 403, 'enrollment_required');
      expect(refused[0].body.message).toContain('set up two-factor authentication first');
    });

    it('is not an active token to introspection', async () => {
      const response = await gw.agent.post('/auth/introspect', { token: enrolling.token });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ active: false });
    });

    it('still gets enrollment_required after a set-up that was not activated', async () => {
      await startSetup({ ...agent, token: enrolling.token!, client: enrolling });
      expect((await signIn(agent)).body).toMatchObject({ status: 'enrollment_required', reason: 'agent' });
    });

    it('hears what was wrong with a wrong passcode or current password, as users do', async () => {
      const setup = (await enrolling.post<SetupView>('/auth/2fa/setup', {})).body;
      const wrongPassword = await enrolling.post('/auth/2fa/activate', {
        passcode: passcodeForStep(setup.secret, stepAt()),
        currentPassword: 'not-the-password',
      });
      expectError(wrongPassword, 400, 'invalid_current_password');
      const wrongCode = await enrolling.post('/auth/2fa/activate', {
        passcode: wrongPasscode(setup.secret),
        currentPassword: agent.password,
      });
      expectError(wrongCode, 400, 'invalid_passcode');
      expect(wrongCode.body.message).toContain('30 seconds');
      // Neither used the token up.
      expect((await enrolling.post('/auth/2fa/setup', {})).status).toBe(201);
    });

    let authenticator: Authenticator;
    let recoveryCodes: string[];

    it('sets up Google Authenticator with the enrollment token; activating completes the sign-in', async () => {
      const setup = (await enrolling.post<SetupView>('/auth/2fa/setup', {})).body;
      expect(setup).toEqual({
        otpauthUrl: expect.stringContaining(`otpauth://totp/`),
        secret: expect.stringMatching(/^[A-Z2-7]{32,}$/),
        qrCodeDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
      });
      const activated = await activate(enrolling, agent.password, setup);
      authenticator = activated.authenticator;
      expect(activated.response.status).toBe(200);
      expect(activated.response.body).toEqual({
        enabled: true,
        recoveryCodes: expect.any(Array),
        accessToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
      recoveryCodes = activated.response.body.recoveryCodes;
      expect(recoveryCodes).toHaveLength(10);

      const signedIn = gw.anon.as(activated.response.body.accessToken);
      expect((await signedIn.get('/tickets')).status).toBe(200);
      const me = await signedIn.get('/auth/me');
      expect(me.body).toMatchObject({
        username: agent.username,
        role: 'agent',
        resellerId: null,
        twoFactor: { availableForReseller: true, enabled: true },
      });
      const introspected = await gw.agent.post('/auth/introspect', { token: activated.response.body.accessToken });
      expect(introspected.body).toMatchObject({
        active: true,
        username: agent.username,
        amr: expect.arrayContaining(['pwd', 'otp', 'mfa']),
      });
    });

    it('refuses the enrollment token once it has been used', async () => {
      expectError(await enrolling.post('/auth/2fa/setup', {}), 401, 'unauthorized');
      expectError(await enrolling.get('/tickets'), 401, 'unauthorized');
    });

    it('asks for a passcode at the next sign-in, naming the methods; a wrong one is refused as for users', async () => {
      const first = await signIn(agent);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        status: 'two_factor_required',
        challengeToken: expect.any(String),
        expiresIn: expect.any(Number),
        methods: ['totp', 'recovery_code'],
        rememberDeviceDays: 0, // agents are never remembered
      });
      const wrong = await gw.anon.post('/auth/login/verify', {
        challengeToken: first.body.challengeToken,
        passcode: wrongPasscode(authenticator.secret),
      });
      expectError(wrong, 401, 'invalid_passcode');
      expect(wrong.body.message).toContain('30 seconds');
      const right = await gw.anon.post('/auth/login/verify', {
        challengeToken: first.body.challengeToken,
        passcode: await authenticator.freshPasscode(),
      });
      expect(right.status).toBe(200);
      expect(right.body).toMatchObject({ status: 'authenticated', accessToken: expect.any(String) });

      const second = await signIn(agent);
      const withRecoveryCode = await gw.anon.post('/auth/login/verify', {
        challengeToken: second.body.challengeToken,
        recoveryCode: recoveryCodes[0],
      });
      expect(withRecoveryCode.body).toMatchObject({ status: 'authenticated' });
    });

    it('cannot turn its second factor off: 403 two_factor_mandatory, and the passcode is still asked', async () => {
      const token = (await signIn(agent)).body.challengeToken;
      const signedIn = gw.anon.as(
        (await gw.anon.post('/auth/login/verify', { challengeToken: token, recoveryCode: recoveryCodes[1] })).body
          .accessToken,
      );
      const refused = await signedIn.post('/auth/2fa/disable', {
        currentPassword: agent.password,
        recoveryCode: recoveryCodes[2],
      });
      expectError(refused, 403, 'two_factor_mandatory');
      expect(refused.body.message).toContain('agents must always keep two-factor authentication');
      expect((await signedIn.get('/auth/me')).body.twoFactor).toEqual({
        availableForReseller: true,
        enabled: true,
        methods: ['totp', 'recovery_code'],
        recoveryCodesLeft: 8,
      });
      expect((await signIn(agent)).body.status).toBe('two_factor_required');
      // The refusal spent nothing: the recovery code it was given still works.
      const challenge = (await signIn(agent)).body.challengeToken;
      expect(
        (await gw.anon.post('/auth/login/verify', { challengeToken: challenge, recoveryCode: recoveryCodes[2] })).body
          .status,
      ).toBe('authenticated');
    });
  });

  describe('the enrollment token', () => {
    it('is ended by logout', async () => {
      const agent = await gw.factory.user({ role: 'agent' });
      const enrolling = gw.anon.as(await enrollmentTokenFor(agent));
      expect((await enrolling.post('/auth/logout')).status).toBe(204);
      expectError(await enrolling.post('/auth/2fa/setup', {}), 401, 'unauthorized');
    });

    it('is refused once expired, and the factor set up with it is not saved', async () => {
      const agent = await gw.factory.user({ role: 'agent' });
      const token = await enrollmentTokenFor(agent);
      const enrolling = gw.anon.as(token);
      const setup = (await enrolling.post<SetupView>('/auth/2fa/setup', {})).body;
      await withDatabase((db) =>
        db.query(`UPDATE auth.sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
          claimsOf(token).jti,
        ]),
      );
      expectError((await activate(enrolling, agent.password, setup)).response, 401, 'unauthorized');
      expect((await signIn(agent)).body).toMatchObject({ status: 'enrollment_required' });
    });

    it('is refused when its JWT has expired, is signed with another key, or claims to be an access token', async () => {
      const agent = await gw.factory.user({ role: 'agent' });
      const token = await enrollmentTokenFor(agent);
      const claims = claimsOf(token);
      const header = { alg: 'HS256', typ: 'JWT' };
      const forgeries = {
        expired: compactJws(
          header,
          { ...claims, iat: claims.iat - 3600, exp: Math.floor(Date.now() / 1000) - 60 },
          hs256(JWT_SECRET),
        ),
        otherKey: compactJws(header, claims, hs256(randomBytes(32).toString('hex'))),
        asAccessToken: compactJws(header, { ...claims, typ: 'access' }, hs256(JWT_SECRET)),
      };
      for (const [name, forged] of Object.entries(forgeries)) {
        const setup = await gw.anon.as(forged).post('/auth/2fa/setup', {});
        const tickets = await gw.anon.as(forged).get('/tickets');
        expect({ name, setup: setup.status, tickets: tickets.status }).toEqual({ name, setup: 401, tickets: 401 });
      }
      expect((await gw.anon.as(token).post('/auth/2fa/setup', {})).status).toBe(201);
    });
  });

  describe('the bootstrap agent', () => {
    it('enrolled at its first sign-in like any agent, and is asked for its passcode since', async () => {
      expect(bootstrapFirstSignIn.body).toMatchObject({ status: 'enrollment_required', reason: 'agent' });
      expect(rememberedFactor(stack.authUrl, stack.agent.username)).toBeDefined();
      const response = await signIn(stack.agent);
      expect(response.body).toMatchObject({ status: 'two_factor_required', methods: ['totp', 'recovery_code'] });
    });

    it('cannot set up a second authenticator over the active one', async () => {
      expectError(await gw.agent.post('/auth/2fa/setup', {}), 409, 'two_factor_already_enabled');
    });
  });

  describe('reseller users', () => {
    it('sign in as before, without 2FA, and their tokens work as before', async () => {
      const user = await gw.factory.user();
      const response = await signIn(user);
      expect(response.body).toEqual({
        status: 'authenticated',
        accessToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
      const client = gw.anon.as(response.body.accessToken);
      expect((await client.get('/tickets')).status).toBe(200);
      expect((await client.get('/auth/me')).body.twoFactor).toEqual({
        availableForReseller: false,
        enabled: false,
        methods: [],
      });
      expectError(await client.post('/auth/2fa/setup', {}), 403, 'two_factor_not_enabled_for_reseller');
    });
  });
});
