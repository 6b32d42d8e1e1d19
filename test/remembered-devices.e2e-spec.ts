import { hash } from '@node-rs/argon2';
import { createHash } from 'node:crypto';
import {
  expectError,
  rememberedFactor,
  takeServerErrors,
  type ApiClient,
  type ApiResponse,
  type Gateway,
} from './support/api';
import { loginPasskeyOptions, passkeyOrigin, registerPasskey } from './support/passkeys';
import {
  loginWithDevice,
  rememberThisDevice,
  secondFactorProof,
  verifyRemembering,
} from './support/remembered-devices';
import { type Stack } from './support/stack';
import {
  approveTicket,
  auditOf,
  challengeFor,
  enroll,
  openTicket,
  resolvedTicket,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';
import { SoftwareAuthenticator } from './support/webauthn';
import { query } from './support/wire';
import { useStack } from './support/e2e';

interface DeviceItem {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * "Remember this device" over the API: a completed second step with rememberDevice gives a token
 * that, with the right password, skips the second step — until it expires (the reseller's current
 * rememberDeviceDays), is forgotten on Profile, or the user's factors, recovery codes or password
 * change, or a reset ticket is applied. A wrong, foreign or stale token is ignored without a
 * trace; a token never replaces the password; agents are never remembered.
 */
describe('remembered devices', () => {
  let stack: Stack;
  let gw: Gateway;
  let resellerId: string;
  let origin: string;
  /** Every device token handed out here: none may reach a log line. */
  const issuedTokens: string[] = [];

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    query<T>(stack.databaseUrl, text, params);
  const devices = async (client: ApiClient) => {
    const response = await client.get<{ items: DeviceItem[] }>('/auth/devices');
    expect(response.status).toBe(200);
    return response.body.items;
  };
  const introspect = async (accessToken: string) =>
    (await gw.agent.post('/auth/introspect', { token: accessToken })).body;

  /** A user of a reseller with 2FA on (the shared one unless given), with Google Authenticator. */
  async function enrolledUser(inReseller = resellerId, email?: string): Promise<EnrolledUser> {
    return enroll(await gw.factory.signedInUser({ resellerId: inReseller, ...(email ? { email } : {}) }));
  }

  /** An enrolled user and the token of a device they remembered. */
  async function rememberedUser(inReseller = resellerId): Promise<{ user: EnrolledUser; deviceToken: string }> {
    const user = await enrolledUser(inReseller);
    const deviceToken = await rememberThisDevice(gw.anon, user);
    issuedTokens.push(deviceToken);
    return { user, deviceToken };
  }

  /** A reseller of its own with 2FA on, for tests that change its policy in the gateway's copy. */
  async function ownReseller(): Promise<string> {
    const opener = await gw.factory.signedInUser();
    await switchResellerTwoFactor(gw, opener, true);
    return opener.resellerId!;
  }

  /** The second step answered with a passkey, asking to remember the device. */
  async function passkeyRemembering(challengeToken: string, authenticator: SoftwareAuthenticator) {
    const passkey = authenticator.authenticate(await loginPasskeyOptions(gw.anon, challengeToken));
    return gw.anon.post('/auth/login/verify', { challengeToken, passkey, rememberDevice: true });
  }

  const setRememberDays = (id: string, days: number) =>
    sql('UPDATE auth.reseller_policies SET remember_device_days = $2 WHERE reseller_id = $1', [id, days]);

  function expectSkipped(response: ApiResponse): void {
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'authenticated', accessToken: expect.any(String), expiresIn: 3600 });
  }

  function expectAsked(response: ApiResponse, rememberDeviceDays = 30): void {
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'two_factor_required',
      challengeToken: expect.any(String),
      expiresIn: 300,
      methods: expect.arrayContaining(['totp']),
      rememberDeviceDays,
    });
  }

  // Three services to start on a shared machine: more than the default two minutes when it is busy.
  useStack((started) => ({ stack, gw } = started), {
    env: { LOG_LEVEL: 'trace' },
    // The per-address allowance is not what these tests are about: many sign-ins come from one address.
    serviceEnv: { auth: { SIGN_IN_LIMIT_PER_ADDRESS: '100000' } },
  });

  beforeAll(async () => {
    origin = passkeyOrigin(stack.authUrl);
    const opener = await gw.factory.signedInUser();
    resellerId = opener.resellerId!;
    await switchResellerTwoFactor(gw, opener, true);
  }, 300_000);

  describe('remembering', () => {
    it('offers it at the second step, and gives a device token only when asked', async () => {
      const user = await enrolledUser();
      const asked = await gw.anon.post('/auth/login', { username: user.username, password: user.password });
      expectAsked(asked);

      const plain = await gw.anon.post('/auth/login/verify', {
        challengeToken: asked.body.challengeToken,
        ...(await secondFactorProof(user)),
      });
      expectSkipped(plain);

      const remembering = await verifyRemembering(gw.anon, user);
      expect(remembering.status).toBe(200);
      expect(remembering.body).toEqual({
        status: 'authenticated',
        accessToken: expect.any(String),
        expiresIn: 3600,
        deviceToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      issuedTokens.push(remembering.body.deviceToken);
    });

    it('skips the second step with the right password and a remembered device, as amr pwd + device', async () => {
      const { user, deviceToken } = await rememberedUser();
      const response = await loginWithDevice(gw.anon, user, deviceToken);
      expectSkipped(response);
      expect(await introspect(response.body.accessToken)).toMatchObject({ active: true, amr: ['pwd', 'device'] });
      // The session is a full one: Profile works.
      expect((await gw.anon.as(response.body.accessToken).get('/auth/me')).status).toBe(200);

      const [device] = await devices(user.client);
      expect(device).toEqual({
        id: expect.any(String),
        label: expect.any(String),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect(Date.parse(device.expiresAt) - Date.parse(device.createdAt)).toBe(30 * DAY_MS);
      const events = await auditOf(gw, user.username);
      expect(events.find((event) => event.event === 'device.remembered')).toMatchObject({
        outcome: 'success',
        detail: { deviceId: device.id, days: 30 },
      });
      expect(events[0]).toMatchObject({ event: 'login', outcome: 'success', detail: { deviceId: device.id } });
    });

    it('is offered after each kind of second factor: passcode, recovery code and passkey', async () => {
      const user = await enrolledUser();
      const authenticator = new SoftwareAuthenticator(origin);
      await registerPasskey(user.client, authenticator, user.password);
      const proofs: Record<string, (challengeToken: string) => Promise<ApiResponse>> = {
        passcode: async (challengeToken) =>
          gw.anon.post('/auth/login/verify', {
            challengeToken,
            passcode: await user.authenticator.freshPasscode(),
            rememberDevice: true,
          }),
        recoveryCode: (challengeToken) =>
          gw.anon.post('/auth/login/verify', {
            challengeToken,
            recoveryCode: user.recoveryCodes.shift(),
            rememberDevice: true,
          }),
        passkey: (challengeToken) => passkeyRemembering(challengeToken, authenticator),
      };
      for (const [kind, answer] of Object.entries(proofs)) {
        const response = await answer(await challengeFor(gw.anon, user));
        expect({ kind, status: response.status, deviceToken: typeof response.body?.deviceToken }).toEqual({
          kind,
          status: 200,
          deviceToken: 'string',
        });
        issuedTokens.push(response.body.deviceToken);
        expectSkipped(await loginWithDevice(gw.anon, user, response.body.deviceToken));
      }
      expect(await devices(user.client)).toHaveLength(3);
    });

    it('stores only a hash of the token, bound to its user', async () => {
      const { user, deviceToken } = await rememberedUser();
      const rows = await sql<Record<string, unknown>>(
        'SELECT d.* FROM auth.remembered_devices d JOIN auth.users u ON u.id = d.user_id WHERE u.username = $1',
        [user.username],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).toBe(sha256(deviceToken));
      expect(JSON.stringify(rows)).not.toContain(deviceToken);
    });

    it('queues the security mail "a device was remembered" for a user with an email', async () => {
      const user = await enrolledUser(resellerId, 'remembered@example.com');
      issuedTokens.push(await rememberThisDevice(gw.anon, user));
      const queued = await sql(
        `SELECT a.event FROM auth.security_mail_outbox o JOIN auth.audit_log a ON a.id = o.audit_id
          WHERE a.username = $1 AND a.event = 'device.remembered'`,
        [user.username],
      );
      expect(queued).toHaveLength(1);
    });

    it("gives no token and no error while the reseller's rememberDeviceDays is 0", async () => {
      const ownId = await ownReseller();
      const { user, deviceToken } = await rememberedUser(ownId);
      await setRememberDays(ownId, 0);
      // Not offered at the second step, and the device already remembered stops at once.
      const asked = await loginWithDevice(gw.anon, user, deviceToken);
      expectAsked(asked, 0);
      const response = await gw.anon.post('/auth/login/verify', {
        challengeToken: asked.body.challengeToken,
        ...(await secondFactorProof(user)),
        rememberDevice: true,
      });
      expectSkipped(response);
      expect(await devices(user.client)).toEqual([]);
    });

    it('never remembers an agent: not offered, no token', async () => {
      const agent = await gw.factory.user({ role: 'agent' });
      await gw.login(agent.username, agent.password); // sets up the agent's authenticator
      const asked = await gw.anon.post('/auth/login', { username: agent.username, password: agent.password });
      expect(asked.body).toMatchObject({ status: 'two_factor_required', rememberDeviceDays: 0 });
      const phone = rememberedFactor(stack.authUrl, agent.username)!;
      const response = await gw.anon.post('/auth/login/verify', {
        challengeToken: asked.body.challengeToken,
        passcode: await phone.authenticator.freshPasscode(),
        rememberDevice: true,
      });
      expectSkipped(response);
    });
  });

  describe('what a device token does not do', () => {
    it("does nothing for another user: the other user's answer is the usual one", async () => {
      const { user: alice, deviceToken } = await rememberedUser();
      const bob = await enrolledUser();
      const before = await devices(alice.client);
      expectAsked(await loginWithDevice(gw.anon, bob, deviceToken));
      expect(await devices(alice.client)).toEqual(before);
    });

    it('does nothing without the right password: invalid_credentials, counted as a wrong password', async () => {
      const { user, deviceToken } = await rememberedUser();
      const before = await devices(user.client);
      expectError(
        await loginWithDevice(gw.anon, user, deviceToken, `${user.password}-wrong`),
        401,
        'invalid_credentials',
      );
      expect((await auditOf(gw, user.username))[0]).toMatchObject({ event: 'login', outcome: 'failure' });
      expect(await devices(user.client)).toEqual(before);
    });

    it('is ignored when unknown or malformed-but-text: the usual second step', async () => {
      const user = await enrolledUser();
      expectAsked(await loginWithDevice(gw.anon, user, 'A'.repeat(43)));
      expectAsked(await loginWithDevice(gw.anon, user, 'not a token at all'));
    });

    it('stops when it expires', async () => {
      const { user, deviceToken } = await rememberedUser();
      expectSkipped(await loginWithDevice(gw.anon, user, deviceToken));
      await sql(
        `UPDATE auth.remembered_devices SET expires_at = now() - interval '1 second'
          WHERE user_id = (SELECT id FROM auth.users WHERE username = $1)`,
        [user.username],
      );
      expectAsked(await loginWithDevice(gw.anon, user, deviceToken));
      expect(await devices(user.client)).toEqual([]);
    });

    it("stops once the reseller's current days are over, even before the stored expiry", async () => {
      const ownId = await ownReseller();
      const { user, deviceToken } = await rememberedUser(ownId);
      await sql(
        `UPDATE auth.remembered_devices SET created_at = now() - interval '2 days'
          WHERE user_id = (SELECT id FROM auth.users WHERE username = $1)`,
        [user.username],
      );
      expectSkipped(await loginWithDevice(gw.anon, user, deviceToken));
      await setRememberDays(ownId, 1);
      expectAsked(await loginWithDevice(gw.anon, user, deviceToken), 1);
      expect(await devices(user.client)).toEqual([]);
    });

    it('waits out a locked second factor, as the second factor itself does', async () => {
      const { user, deviceToken } = await rememberedUser();
      for (let guess = 0; guess < 5; guess++) {
        const challengeToken = await challengeFor(gw.anon, user);
        expectError(
          await gw.anon.post('/auth/login/verify', { challengeToken, passcode: '000000' }),
          401,
          'invalid_passcode',
        );
      }
      expectAsked(await loginWithDevice(gw.anon, user, deviceToken));
      await sql(`UPDATE auth.attempt_throttles SET locked_until = now() - interval '1 second' WHERE key = $1`, [
        `second-factor:${user.id}`,
      ]);
      expectSkipped(await loginWithDevice(gw.anon, user, deviceToken));
    });
  });

  describe('Forget, and what forgets every device', () => {
    it('Forget: that device is asked for the second factor again, audited', async () => {
      const { user, deviceToken } = await rememberedUser();
      const [device] = await devices(user.client);
      const forgotten = await user.client.delete(`/auth/devices/${device.id}`);
      expect(forgotten.status).toBe(204);
      expectAsked(await loginWithDevice(gw.anon, user, deviceToken));
      expect(await devices(user.client)).toEqual([]);
      expect(await auditOf(gw, user.username)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            event: 'device.forgotten',
            detail: expect.objectContaining({ deviceId: device.id }),
          }),
        ]),
      );
      expectError(await user.client.delete(`/auth/devices/${device.id}`), 404, 'not_found');
    });

    /**
     * The changes that forget every remembered device of the user, each on a user that remembered
     * one; a change may remember another on the way, and answers its token (tried after it too).
     */
    const changes: [string, (user: EnrolledUser) => Promise<string | void>][] = [
      [
        'a passkey is added',
        async (user) => {
          await registerPasskey(user.client, new SoftwareAuthenticator(origin), user.password);
        },
      ],
      [
        'a passkey is removed',
        async (user) => {
          const added = await registerPasskey(user.client, new SoftwareAuthenticator(origin), user.password);
          // Adding forgot the device already: remember one again before removing the passkey.
          const again = await rememberThisDevice(gw.anon, user);
          issuedTokens.push(again);
          expectSkipped(await loginWithDevice(gw.anon, user, again));
          const response = await user.client.request('DELETE', `/auth/passkeys/${added.id}`, {
            currentPassword: user.password,
          });
          expect(response.status).toBe(204);
          return again;
        },
      ],
      [
        'new recovery codes are made',
        async (user) => {
          const response = await user.client.post('/auth/2fa/recovery-codes', {
            currentPassword: user.password,
            passcode: await user.authenticator.freshPasscode(),
          });
          expect(response.status).toBe(200);
        },
      ],
      [
        'the password changes',
        async (user) => {
          const passwordHash = await hash(`${user.password}-new`);
          await sql('UPDATE auth.users SET password_hash = $2 WHERE username = $1', [user.username, passwordHash]);
          user.password = `${user.password}-new`;
        },
      ],
    ];

    it.each(changes)('forgets every device when %s', async (_change, change) => {
      const { user, deviceToken } = await rememberedUser();
      const rememberedOnTheWay = await change(user);
      expect(await devices(user.client)).toEqual([]);
      expectAsked(await loginWithDevice(gw.anon, user, deviceToken));
      if (rememberedOnTheWay) expectAsked(await loginWithDevice(gw.anon, user, rememberedOnTheWay));
    });

    it('forgets nothing when another column of the user changes', async () => {
      const { user, deviceToken } = await rememberedUser();
      await sql(`UPDATE auth.users SET email = 'changed@example.com' WHERE username = $1`, [user.username]);
      expectSkipped(await loginWithDevice(gw.anon, user, deviceToken));
    });

    it('forgets every device when 2FA is turned off and Google Authenticator is activated again', async () => {
      const { user, deviceToken } = await rememberedUser();
      const disabled = await user.client.post('/auth/2fa/disable', {
        currentPassword: user.password,
        passcode: await user.authenticator.freshPasscode(),
      });
      expect(disabled.status).toBe(200);
      expect(await devices(user.client)).toEqual([]);
      const again = await enroll(user);
      expectAsked(await loginWithDevice(gw.anon, again, deviceToken));

      // Activating forgets too: a device remembered with a passkey before it.
      const passkeyUser = await gw.factory.signedInUser({ resellerId });
      const authenticator = new SoftwareAuthenticator(origin);
      await registerPasskey(passkeyUser.client, authenticator, passkeyUser.password);
      const response = await passkeyRemembering(await challengeFor(gw.anon, passkeyUser), authenticator);
      const passkeyDevice = response.body.deviceToken as string;
      issuedTokens.push(passkeyDevice);
      expectSkipped(await loginWithDevice(gw.anon, passkeyUser, passkeyDevice));
      await enroll(passkeyUser);
      expect(await devices(passkeyUser.client)).toEqual([]);
      expectAsked(await loginWithDevice(gw.anon, passkeyUser, passkeyDevice));
    });

    it('forgets every device when a reset ticket is applied', async () => {
      const { user, deviceToken } = await rememberedUser();
      const ticket = await openTicket(user.client, { type: 'reset_user_2fa', targetUsername: user.username });
      await approveTicket(gw, ticket.id);
      await resolvedTicket(gw, ticket.id);
      expect(await sql('SELECT 1 FROM auth.remembered_devices WHERE token_hash = $1', [sha256(deviceToken)])).toEqual(
        [],
      );
      const token = await gw.login(user.username, user.password);
      const reenrolled = await enroll({ ...user, token, client: gw.anon.as(token) });
      expectAsked(await loginWithDevice(gw.anon, reenrolled, deviceToken));
    });
  });

  describe('GET and DELETE /auth/devices', () => {
    it("lists only the caller's own devices, and cannot forget another user's", async () => {
      const { user: alice, deviceToken } = await rememberedUser();
      const { user: bob } = await rememberedUser();
      const [aliceDevice] = await devices(alice.client);
      const [bobDevice] = await devices(bob.client);
      expect(aliceDevice.id).not.toBe(bobDevice.id);

      expectError(await bob.client.delete(`/auth/devices/${aliceDevice.id}`), 404, 'not_found');
      expect(await devices(alice.client)).toEqual([aliceDevice]);
      expectSkipped(await loginWithDevice(gw.anon, alice, deviceToken));
    });

    it('refuses a malformed id with 400 and the signed-out with 401', async () => {
      const { user } = await rememberedUser();
      expectError(await user.client.delete('/auth/devices/not-a-uuid'), 400, 'invalid_id');
      expectError(await gw.anon.get('/auth/devices'), 401, 'unauthorized');
      expectError(await gw.anon.delete(`/auth/devices/${(await devices(user.client))[0].id}`), 401, 'unauthorized');
      expect(await devices(user.client)).toHaveLength(1);
    });
  });

  describe('bad input: 400, nothing changed', () => {
    it.each([
      ['a number', 123],
      ['null', null],
      ['an object', { token: 'x' }],
      ['an empty string', ''],
      ['an oversized string', 'x'.repeat(129)],
    ])('refuses deviceToken as %s', async (_what, deviceToken) => {
      const { user } = await rememberedUser();
      const before = await devices(user.client);
      const audited = (await auditOf(gw, user.username)).length;
      expectError(await loginWithDevice(gw.anon, user, deviceToken), 400, 'validation_failed');
      expect(await devices(user.client)).toEqual(before);
      expect(await auditOf(gw, user.username)).toHaveLength(audited);
    });

    it.each([
      ['a string', 'yes'],
      ['a number', 1],
      ['null', null],
    ])('refuses rememberDevice as %s, and leaves the challenge unused', async (_what, rememberDevice) => {
      const user = await enrolledUser();
      const challengeToken = await challengeFor(gw.anon, user);
      const proof = await secondFactorProof(user);
      expectError(
        await gw.anon.post('/auth/login/verify', { challengeToken, ...proof, rememberDevice }),
        400,
        'validation_failed',
      );
      expect(await devices(user.client)).toEqual([]);
      expectSkipped(await gw.anon.post('/auth/login/verify', { challengeToken, ...proof }));
    });
  });

  it('lets 200 sign-ins with the same token at once all through (or say busy), never asking for a passcode', async () => {
    const { user, deviceToken } = await rememberedUser();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        gw.anon.post(
          '/auth/login',
          { username: user.username, password: user.password, deviceToken },
          { headers: { 'x-forwarded-for': `198.51.100.${index % 250}` } },
        ),
      ),
    );
    const outcomes = answers.map((answer) => `${answer.status} ${answer.body?.status ?? answer.body?.error}`);
    const authenticated = outcomes.filter((outcome) => outcome === '200 authenticated').length;
    expect(outcomes.filter((outcome) => outcome !== '200 authenticated' && outcome !== '503 busy')).toEqual([]);
    expect(authenticated).toBeGreaterThanOrEqual(20);
    // Busy answers are the documented refusal of a full hashing line, not faults.
    expect(takeServerErrors().filter((error) => !error.includes('"busy"'))).toEqual([]);
    const sessions = answers.filter((answer) => answer.status === 200).map((answer) => answer.body.accessToken);
    expect(new Set(sessions).size).toBe(authenticated);
    for (const token of sessions.slice(0, 10)) expect((await introspect(token)).amr).toEqual(['pwd', 'device']);
    expect(await devices(user.client)).toHaveLength(1);
  });

  it('never writes a device token or its hash to a log line', () => {
    expect(issuedTokens.length).toBeGreaterThan(10);
    const logs = ['auth', 'tickets', 'reseller-settings'].map((service) => stack.logs(service as 'auth')).join('\n');
    expect(logs).toContain('device.remembered'); // the audit of remembering was logged
    const leaked = issuedTokens.filter((token) => logs.includes(token) || logs.includes(sha256(token)));
    expect(leaked).toEqual([]);
  });
});
