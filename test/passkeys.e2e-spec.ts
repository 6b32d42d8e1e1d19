import { Client } from 'pg';
import { expectError, type ApiClient, type ApiResponse, type Gateway, type SignedInUser } from './support/api';
import {
  addPasskey,
  loginPasskeyOptions,
  passkeyOrigin,
  passwordlessOptions,
  passwordlessSignIn,
  registerPasskey,
  registrationOptions,
  verifyWithPasskey,
} from './support/passkeys';
import { type Stack } from './support/stack';
import {
  approveTicket,
  auditOf,
  challengeFor,
  enroll,
  openTicket,
  passwordLogin,
  resolvedTicket,
  switchResellerTwoFactor,
} from './support/two-factor';
import { SoftwareAuthenticator } from './support/webauthn';
import { useStack } from './support/e2e';

/**
 * Passkeys over the API, with a software authenticator (test/support/webauthn.ts) that builds
 * attestations and assertions with Node's crypto: registering them on Profile (the first factor
 * brings recovery codes, an enrollment token is completed by one), signing in with one as the
 * second step and passwordless, and every way a response can be wrong — each a clear 4xx with
 * nothing changed. Disabling 2FA and a reset ticket remove every passkey.
 */
describe('passkeys', () => {
  let stack: Stack;
  let gw: Gateway;
  let resellerId: string;
  let origin: string;

  /** A user of the reseller with 2FA on, signed in with a password. */
  const member = (): Promise<SignedInUser> => gw.factory.signedInUser({ resellerId });
  const phone = () => new SoftwareAuthenticator(origin);
  const list = async (client: ApiClient) => (await client.get('/auth/passkeys')).body.items as PasskeyItem[];
  const me = async (client: ApiClient) => (await client.get('/auth/me')).body;
  const tally = (answers: ApiResponse[]) =>
    answers.reduce<Record<string, number>>((counts, answer) => {
      const key = `${answer.status} ${answer.body?.error ?? answer.body?.status}`;
      return { ...counts, [key]: (counts[key] ?? 0) + 1 };
    }, {});

  async function withDatabase<T>(work: (db: Client) => Promise<T>): Promise<T> {
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      return await work(db);
    } finally {
      await db.end();
    }
  }

  /** A member holding one passkey, registered on Profile. */
  async function memberWithPasskey(): Promise<SignedInUser & { authenticator: SoftwareAuthenticator }> {
    const user = await member();
    const authenticator = phone();
    await registerPasskey(user.client, authenticator, user.password);
    return { ...user, authenticator };
  }

  useStack((started) => ({ stack, gw } = started));

  beforeAll(async () => {
    origin = passkeyOrigin(stack.authUrl);
    const opener = await gw.factory.signedInUser();
    resellerId = opener.resellerId!;
    await switchResellerTwoFactor(gw, opener, true);
  });

  describe('Add a Passkey', () => {
    it("refuses while the user's reseller has no 2FA, as Google Authenticator does", async () => {
      const user = await gw.factory.signedInUser();
      expectError(
        await user.client.post('/auth/passkeys/registration-options', {}),
        403,
        'two_factor_not_enabled_for_reseller',
      );
      expectError(
        await user.client.post('/auth/passkeys', {
          response: { id: 'x' },
          name: 'Laptop',
          currentPassword: user.password,
        }),
        403,
        'two_factor_not_enabled_for_reseller',
      );
    });

    it('gives creation options for this relying party, naming the passkeys the user already has', async () => {
      const user = await memberWithPasskey();
      const options = await registrationOptions(user.client);
      expect(options).toMatchObject({
        challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        rp: { id: 'localhost', name: 'PBX Dashboard' },
        user: { name: user.username, id: expect.any(String) },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
        excludeCredentials: [expect.objectContaining({ id: user.authenticator.credentials[0].id })],
      });
      // EdDSA, ES256, RS256 only: never the post-quantum algorithm Node 24's default would put first.
      expect(options.pubKeyCredParams.map((param) => param.alg)).toEqual([-8, -7, -257]);
      expect((await registrationOptions(user.client)).challenge).not.toBe(options.challenge);
    });

    it('saves the first passkey with the current password: ten recovery codes once, other sessions end, audited', async () => {
      const user = await member();
      const otherSession = gw.anon.as(await gw.login(user.username, user.password));
      const response = await addPasskey(user.client, phone(), user.password, { name: '  Work laptop ' });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        name: 'Work laptop',
        createdAt: expect.any(String),
        recoveryCodes: expect.arrayContaining([expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/)]),
      });
      expect(response.body.recoveryCodes).toHaveLength(10);
      expect(await list(user.client)).toEqual([
        { id: response.body.id, name: 'Work laptop', createdAt: response.body.createdAt, lastUsedAt: null },
      ]);
      expect((await me(user.client)).twoFactor).toEqual({
        availableForReseller: true,
        enabled: true,
        methods: ['passkey', 'recovery_code'],
        recoveryCodesLeft: 10,
      });
      expectError(await otherSession.get('/auth/me'), 401, 'unauthorized');
      const registered = (await auditOf(gw, user.username)).find((item) => item.event === 'passkey.registered');
      expect(registered).toMatchObject({ outcome: 'success', detail: { firstFactor: true, otherSessionsEnded: 1 } });
    });

    it('brings no new recovery codes with a second passkey', async () => {
      const user = await memberWithPasskey();
      const second = await registerPasskey(user.client, phone(), user.password, 'Phone');
      expect(second).toEqual({ id: expect.any(String), name: 'Phone', createdAt: expect.any(String) });
      expect((await list(user.client)).map((item) => item.name)).toEqual(['Laptop', 'Phone']);
    });

    it('refuses a bad registration with a clear 400, and stores nothing', async () => {
      const user = await member();
      const other = await member();
      const authenticator = phone();
      const refused = async (send: () => Promise<ApiResponse>, error: string) => {
        expectError(await send(), 400, error);
      };
      const post = (response: unknown, extra: object = {}) =>
        user.client.post('/auth/passkeys', { response, name: 'Laptop', currentPassword: user.password, ...extra });

      // Not a registration response at all.
      await refused(() => post({ id: 'abc', type: 'public-key' }), 'invalid_passkey');
      await refused(() => post('a string'), 'validation_failed');
      await refused(
        async () => post({ ...authenticator.register(await registrationOptions(user.client)), type: 'other' }),
        'invalid_passkey',
      );
      // The wrong current password: counted like a failed sign-in.
      await refused(
        async () => post(authenticator.register(await registrationOptions(user.client)), { currentPassword: 'not-it' }),
        'invalid_current_password',
      );
      // From another site, for another relying party, of the wrong kind.
      await refused(
        () => addPasskey(user.client, authenticator, user.password, { bend: { origin: 'https://evil.example' } }),
        'invalid_passkey',
      );
      await refused(
        () => addPasskey(user.client, authenticator, user.password, { bend: { rpId: 'evil.example' } }),
        'invalid_passkey',
      );
      await refused(
        () => addPasskey(user.client, authenticator, user.password, { bend: { type: 'webauthn.get' } }),
        'invalid_passkey',
      );
      // A challenge the server never gave, and one it gave someone else.
      await refused(
        () => addPasskey(user.client, authenticator, user.password, { bend: { challenge: 'A'.repeat(43) } }),
        'invalid_passkey',
      );
      const othersOptions = await registrationOptions(other.client);
      await refused(
        async () =>
          post(
            authenticator.register({ ...(await registrationOptions(user.client)), challenge: othersOptions.challenge }),
          ),
        'invalid_passkey',
      );
      // A stale challenge: past its five minutes.
      const stale = await registrationOptions(user.client);
      await withDatabase((db) =>
        db.query(`UPDATE auth.webauthn_challenges SET expires_at = now() - interval '1 second' WHERE challenge = $1`, [
          stale.challenge,
        ]),
      );
      await refused(() => post(authenticator.register(stale)), 'invalid_passkey');
      // A blank name.
      await refused(
        async () => post(authenticator.register(await registrationOptions(user.client)), { name: '   ' }),
        'validation_failed',
      );

      expect(await list(user.client)).toEqual([]);
      expect((await me(user.client)).twoFactor.methods).toEqual([]);
      expect((await passwordLogin(gw.anon, user)).body.status).toBe('authenticated');
    });

    it('uses a challenge once, and never registers one credential twice', async () => {
      const user = await member();
      const authenticator = phone();
      const options = await registrationOptions(user.client);
      const response = authenticator.register(options);
      const body = { response, name: 'Laptop', currentPassword: user.password };
      expect((await user.client.post('/auth/passkeys', body)).status).toBe(201);
      expectError(await user.client.post('/auth/passkeys', body), 400, 'invalid_passkey');

      // The same credential presented again with a fresh challenge, by its user or by someone else.
      const again = (options: { challenge: string }) => ({
        ...response,
        response: {
          ...response.response,
          clientDataJSON: Buffer.from(
            JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }),
          ).toString('base64url'),
        },
      });
      expectError(
        await user.client.post('/auth/passkeys', { ...body, response: again(await registrationOptions(user.client)) }),
        400,
        'invalid_passkey',
      );
      const thief = await member();
      expectError(
        await thief.client.post('/auth/passkeys', {
          response: again(await registrationOptions(thief.client)),
          name: 'Stolen',
          currentPassword: thief.password,
        }),
        400,
        'invalid_passkey',
      );
      expect(await list(user.client)).toHaveLength(1);
      expect(await list(thief.client)).toEqual([]);
    });

    it('gives recovery codes to one of two first passkeys registered at the same moment', async () => {
      const user = await member();
      const [a, b] = await Promise.all([registrationOptions(user.client), registrationOptions(user.client)]);
      const answers = await Promise.all(
        [a, b].map((options) =>
          user.client.post('/auth/passkeys', {
            response: phone().register(options),
            name: 'Key',
            currentPassword: user.password,
          }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
      expect(answers.filter((answer) => answer.body.recoveryCodes)).toHaveLength(1);
    });
  });

  describe('a passkey as the second step', () => {
    it('lists the methods, gives request options for the user’s own passkeys, and completes the sign-in', async () => {
      const user = await memberWithPasskey();
      const login = await passwordLogin(gw.anon, user);
      expect(login.body).toEqual({
        status: 'two_factor_required',
        challengeToken: expect.any(String),
        expiresIn: 300,
        methods: ['passkey', 'recovery_code'],
        rememberDeviceDays: 30,
      });
      const options = await loginPasskeyOptions(gw.anon, login.body.challengeToken);
      expect(options).toMatchObject({
        challenge: expect.any(String),
        rpId: 'localhost',
        userVerification: 'preferred',
        allowCredentials: [expect.objectContaining({ id: user.authenticator.credentials[0].id, type: 'public-key' })],
      });
      const response = await gw.anon.post('/auth/login/verify', {
        challengeToken: login.body.challengeToken,
        passkey: user.authenticator.authenticate(options),
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'authenticated', accessToken: expect.any(String), expiresIn: 3600 });
      const introspection = await gw.agent.post('/auth/introspect', { token: response.body.accessToken });
      expect(introspection.body).toMatchObject({ active: true, username: user.username, amr: ['pwd', 'hwk', 'mfa'] });
      expect((await list(user.client))[0].lastUsedAt).toEqual(expect.any(String));
      const signIn = (await auditOf(gw, user.username)).find((item) => item.event === 'login.second_factor');
      expect(signIn).toMatchObject({ outcome: 'success', detail: { method: 'passkey' } });
    });

    it('answers 409 no_passkey for options when the user has none, and 401 for a challenge that is not live', async () => {
      const user = await enroll(await member());
      expectError(
        await gw.anon.post('/auth/login/passkey-options', { challengeToken: await challengeFor(gw.anon, user) }),
        409,
        'no_passkey',
      );
      expectError(
        await gw.anon.post('/auth/login/passkey-options', { challengeToken: 'no-such-challenge' }),
        401,
        'invalid_challenge',
      );
    });

    it('refuses each bad assertion with a clear 4xx, changes nothing, and the sign-in stays open', async () => {
      const user = await memberWithPasskey();
      const stranger = await memberWithPasskey();
      const challengeToken = await challengeFor(gw.anon, user);
      const refused = async (
        bend: Parameters<typeof verifyWithPasskey>[3],
        authenticator = user.authenticator,
      ): Promise<void> => {
        const { response } = await verifyWithPasskey(gw.anon, challengeToken, authenticator, bend);
        expectError(response, 401, 'invalid_passcode');
        expect(response.body.message).toMatch(/passkey/i);
      };
      const before = await list(user.client);

      // Malformed: refused before anything is checked or counted.
      const malformed = await gw.anon.post('/auth/login/verify', { challengeToken, passkey: { id: 'x' } });
      expectError(malformed, 400, 'invalid_passkey');
      expectError(
        await gw.anon.post('/auth/login/verify', { challengeToken, passkey: 'text', passcode: '123456' }),
        400,
        'validation_failed',
      );
      // Another user's credential, signed by its own authenticator for this sign-in's options.
      await refused({ credential: stranger.authenticator.credentials[0] }, stranger.authenticator);
      // Another origin, another relying party.
      await refused({ origin: 'https://evil.example' });
      await refused({ rpId: 'evil.example' });
      // Four wrong in a row; a right answer gives the run back before the lock.
      const right = await verifyWithPasskey(gw.anon, challengeToken, user.authenticator);
      expect(right.response.status).toBe(200);
      expect((await list(user.client))[0].lastUsedAt).not.toBe(before[0].lastUsedAt);

      // A new sign-in: a challenge handed out for another sign-in, for passwordless, or gone stale.
      const next = await challengeFor(gw.anon, user);
      const otherSignIn = await loginPasskeyOptions(gw.anon, await challengeFor(gw.anon, user));
      const wrongBinding = await gw.anon.post('/auth/login/verify', {
        challengeToken: next,
        passkey: user.authenticator.authenticate(otherSignIn),
      });
      expectError(wrongBinding, 401, 'invalid_passcode');
      const passwordless = await passwordlessOptions(gw.anon);
      expectError(
        await gw.anon.post('/auth/login/verify', {
          challengeToken: next,
          passkey: user.authenticator.authenticate({ ...passwordless, allowCredentials: otherSignIn.allowCredentials }),
        }),
        401,
        'invalid_passcode',
      );
      const stale = await loginPasskeyOptions(gw.anon, next);
      await withDatabase((db) =>
        db.query(`UPDATE auth.webauthn_challenges SET expires_at = now() - interval '1 second' WHERE challenge = $1`, [
          stale.challenge,
        ]),
      );
      expectError(
        await gw.anon.post('/auth/login/verify', {
          challengeToken: next,
          passkey: user.authenticator.authenticate(stale),
        }),
        401,
        'invalid_passcode',
      );
      // A counter that went back: a cloned authenticator.
      const { response: cloned } = await verifyWithPasskey(gw.anon, next, user.authenticator, { signCount: 1 });
      expectError(cloned, 401, 'invalid_passcode');
      // Still open: the right passkey completes it.
      expect((await verifyWithPasskey(gw.anon, next, user.authenticator)).response.status).toBe(200);
      const rejected = (await auditOf(gw, user.username)).filter((item) => item.event === 'second_factor.rejected');
      expect(rejected.length).toBeGreaterThanOrEqual(7);
      expect(rejected.every((item) => item.detail.method === 'passkey')).toBe(true);
      expect((await list(stranger.client))[0].lastUsedAt).toBeNull();
    });

    it('refuses a replayed assertion: on its own sign-in and on a new one', async () => {
      const user = await memberWithPasskey();
      const challengeToken = await challengeFor(gw.anon, user);
      const { assertion, response } = await verifyWithPasskey(gw.anon, challengeToken, user.authenticator);
      expect(response.status).toBe(200);
      const lastUsedAt = (await list(user.client))[0].lastUsedAt;
      expectError(
        await gw.anon.post('/auth/login/verify', { challengeToken, passkey: assertion }),
        401,
        'invalid_challenge',
      );
      const fresh = await challengeFor(gw.anon, user);
      expectError(
        await gw.anon.post('/auth/login/verify', { challengeToken: fresh, passkey: assertion }),
        401,
        'invalid_passcode',
      );
      expect((await list(user.client))[0].lastUsedAt).toBe(lastUsedAt);
    });

    it('completes one sign-in at most from a burst of copies of one assertion', async () => {
      const user = await memberWithPasskey();
      const challengeToken = await challengeFor(gw.anon, user);
      const assertion = user.authenticator.authenticate(await loginPasskeyOptions(gw.anon, challengeToken));
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => gw.anon.post('/auth/login/verify', { challengeToken, passkey: assertion })),
      );
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
      for (const answer of answers.filter((one) => one.status !== 200)) expect([401, 429]).toContain(answer.status);
      const sessions = await withDatabase(
        async (db) =>
          (
            await db.query(
              `SELECT count(*)::int AS n FROM auth.sessions s JOIN auth.users u ON u.id = s.user_id
                WHERE u.username = $1 AND 'hwk' = ANY(s.amr)`,
              [user.username],
            )
          ).rows[0].n,
      );
      expect(sessions).toBe(1);
    });

    it('locks the second factor after five wrong passkeys in a row, for a right one too', async () => {
      const user = await memberWithPasskey();
      const stranger = await memberWithPasskey();
      const challengeToken = await challengeFor(gw.anon, user);
      const options = await Promise.all(Array.from({ length: 12 }, () => loginPasskeyOptions(gw.anon, challengeToken)));
      const guesses = await Promise.all(
        options.map((one) =>
          gw.anon.post('/auth/login/verify', {
            challengeToken,
            passkey: stranger.authenticator.authenticate(one, { credential: stranger.authenticator.credentials[0] }),
          }),
        ),
      );
      expect(tally(guesses)).toEqual({ '401 invalid_passcode': 5, '429 too_many_attempts': 7 });
      const { response } = await verifyWithPasskey(gw.anon, challengeToken, user.authenticator);
      expectError(response, 429, 'too_many_attempts');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('Use a Passkey (passwordless)', () => {
    it('signs in with a discoverable passkey and user verification', async () => {
      const user = await memberWithPasskey();
      const options = await passwordlessOptions(gw.anon);
      expect(options).toMatchObject({ challenge: expect.any(String), rpId: 'localhost', userVerification: 'required' });
      expect(options.allowCredentials ?? []).toEqual([]);
      const response = await gw.anon.post('/auth/passkey', { response: user.authenticator.authenticate(options) });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'authenticated', accessToken: expect.any(String), expiresIn: 3600 });
      expect((await me(gw.anon.as(response.body.accessToken))).username).toBe(user.username);
      const introspection = await gw.agent.post('/auth/introspect', { token: response.body.accessToken });
      expect(introspection.body.amr).toEqual(['hwk', 'user', 'mfa']);
      expect((await auditOf(gw, user.username)).find((item) => item.event === 'login.passkey')).toMatchObject({
        outcome: 'success',
      });
    });

    it('refuses without user verification, an unknown credential, a wrong user handle, a replay or a malformed answer', async () => {
      const user = await memberWithPasskey();
      const unknown = phone();
      unknown.register(await registrationOptions((await memberWithPasskey()).client)); // never sent to the server
      const refusals = [
        (await passwordlessSignIn(gw.anon, user.authenticator, { userVerified: false })).response,
        (await passwordlessSignIn(gw.anon, unknown)).response,
        (await passwordlessSignIn(gw.anon, user.authenticator, { origin: 'https://evil.example' })).response,
        (await passwordlessSignIn(gw.anon, user.authenticator, { rpId: 'evil.example' })).response,
      ];
      for (const refusal of refusals) expectError(refusal, 401, 'invalid_passkey');
      const wrongHandle = user.authenticator.authenticate(await passwordlessOptions(gw.anon));
      wrongHandle.response.userHandle = Buffer.alloc(16, 1).toString('base64url');
      expectError(await gw.anon.post('/auth/passkey', { response: wrongHandle }), 401, 'invalid_passkey');
      expectError(await gw.anon.post('/auth/passkey', { response: { id: 'x', rawId: 'x' } }), 400, 'invalid_passkey');
      expectError(await gw.anon.post('/auth/passkey', { response: [] }), 400, 'validation_failed');

      const { assertion, response } = await passwordlessSignIn(gw.anon, user.authenticator);
      expect(response.status).toBe(200);
      expectError(await gw.anon.post('/auth/passkey', { response: assertion }), 401, 'invalid_passkey');
    });

    it('completes one sign-in at most from a burst of copies of one assertion', async () => {
      const user = await memberWithPasskey();
      const assertion = user.authenticator.authenticate(await passwordlessOptions(gw.anon));
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => gw.anon.post('/auth/passkey', { response: assertion })),
      );
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
      for (const answer of answers.filter((one) => one.status !== 200)) expect([401, 429]).toContain(answer.status);
    });
  });

  describe('agents', () => {
    it('may register a passkey as the first factor with an enrollment token, which completes the sign-in', async () => {
      const agent = await gw.factory.user({ role: 'agent' });
      const login = await passwordLogin(gw.anon, agent);
      expect(login.body).toMatchObject({ status: 'enrollment_required', reason: 'agent' });
      const enrolling = gw.anon.as(login.body.enrollmentToken);
      expectError(await enrolling.get('/auth/passkeys'), 403, 'enrollment_required');
      const authenticator = phone();
      const registered = await registerPasskey(enrolling, authenticator, agent.password, 'Security key');
      expect(registered).toEqual({
        id: expect.any(String),
        name: 'Security key',
        createdAt: expect.any(String),
        recoveryCodes: expect.any(Array),
        accessToken: expect.any(String),
        expiresIn: 3600,
      });
      expectError(await enrolling.get('/auth/me'), 401, 'unauthorized');
      const signedIn = gw.anon.as(registered.accessToken!);
      expect((await me(signedIn)).twoFactor).toEqual({
        availableForReseller: true,
        enabled: true,
        methods: ['passkey', 'recovery_code'],
        recoveryCodesLeft: 10,
      });
      const next = await passwordLogin(gw.anon, agent);
      expect(next.body).toMatchObject({ status: 'two_factor_required', methods: ['passkey', 'recovery_code'] });
      expect((await verifyWithPasskey(gw.anon, next.body.challengeToken, authenticator)).response.body.status).toBe(
        'authenticated',
      );

      // An agent keeps a second factor: its only passkey stays.
      expectError(
        await signedIn.request('DELETE', `/auth/passkeys/${registered.id}`, { currentPassword: agent.password }),
        403,
        'two_factor_mandatory',
      );
      expect(await list(signedIn)).toHaveLength(1);
    });

    it('lets one of two enrollment tokens of an agent add its first factor, never both', async () => {
      const agent = await gw.factory.user({ role: 'agent' });
      const logins = await Promise.all([passwordLogin(gw.anon, agent), passwordLogin(gw.anon, agent)]);
      const clients = logins.map((login) => gw.anon.as(login.body.enrollmentToken as string));
      const options = await Promise.all(clients.map((client) => registrationOptions(client)));
      const answers = await Promise.all(
        clients.map((client, i) =>
          client.post('/auth/passkeys', {
            response: phone().register(options[i]),
            name: `Key ${i}`,
            currentPassword: agent.password,
          }),
        ),
      );
      const [won] = answers.filter((answer) => answer.status === 201);
      const lost = answers.filter((answer) => answer.status !== 201);
      expect(lost).toHaveLength(1);
      expect([401, 409]).toContain(lost[0].status);
      expect(lost[0].body.error).toMatch(/^(unauthorized|two_factor_already_enabled)$/);
      expect(await list(gw.anon.as(won.body.accessToken as string))).toHaveLength(1);
      // The losing token has ended with the other sessions: it cannot start another registration either.
      const loser = clients[answers.indexOf(lost[0])];
      expectError(await loser.post('/auth/passkeys/registration-options', {}), 401, 'unauthorized');
    });
  });

  describe('life cycle', () => {
    it('lets a user hold Google Authenticator and passkeys, and sign in with either', async () => {
      const user = await enroll(await member());
      const authenticator = phone();
      const added = await registerPasskey(user.client, authenticator, user.password);
      expect(added.recoveryCodes).toBeUndefined();
      const login = await passwordLogin(gw.anon, user);
      expect(login.body.methods).toEqual(['totp', 'passkey', 'recovery_code']);
      const passcode = await gw.anon.post('/auth/login/verify', {
        challengeToken: login.body.challengeToken,
        passcode: await user.authenticator.freshPasscode(),
      });
      expect(passcode.body.status).toBe('authenticated');
      const viaPasskey = await verifyWithPasskey(gw.anon, await challengeFor(gw.anon, user), authenticator);
      expect(viaPasskey.response.body.status).toBe('authenticated');
    });

    it('removes a passkey with the current password; the last one turns 2FA off with its recovery codes', async () => {
      const user = await memberWithPasskey();
      await registerPasskey(user.client, phone(), user.password, 'Phone');
      const [laptop, phoneKey] = await list(user.client);
      const stranger = await memberWithPasskey();
      const remove = (client: ApiClient, id: string, currentPassword: string) =>
        client.request('DELETE', `/auth/passkeys/${id}`, { currentPassword });

      expectError(await remove(user.client, laptop.id, 'not-the-password'), 400, 'invalid_current_password');
      expectError(await remove(user.client, 'not-an-id', user.password), 400, 'invalid_id');
      expectError(await remove(user.client, (await list(stranger.client))[0].id, user.password), 404, 'not_found');
      expect(await list(stranger.client)).toHaveLength(1);
      expect(await list(user.client)).toHaveLength(2);

      expect((await remove(user.client, laptop.id, user.password)).status).toBe(204);
      expect((await list(user.client)).map((item) => item.id)).toEqual([phoneKey.id]);
      expect((await remove(user.client, phoneKey.id, user.password)).status).toBe(204);
      expect((await me(user.client)).twoFactor).toEqual({ availableForReseller: true, enabled: false, methods: [] });
      expect((await passwordLogin(gw.anon, user)).body.status).toBe('authenticated');
      expect(
        (await auditOf(gw, user.username))
          .filter((item) => item.event === 'passkey.removed')
          .map((item) => item.detail.lastFactor),
      ).toEqual([true, false]);
    });

    it('turning 2FA off removes every passkey (and Google Authenticator)', async () => {
      const user = await member();
      const authenticator = phone();
      const { recoveryCodes } = await registerPasskey(user.client, authenticator, user.password);
      await registerPasskey(user.client, authenticator, user.password, 'Second');
      const disabled = await user.client.post('/auth/2fa/disable', {
        currentPassword: user.password,
        recoveryCode: recoveryCodes![0],
      });
      expect(disabled.body).toEqual({ enabled: false });
      expect(await list(user.client)).toEqual([]);
      expectError((await passwordlessSignIn(gw.anon, authenticator)).response, 401, 'invalid_passkey');
      expect((await passwordLogin(gw.anon, user)).body.status).toBe('authenticated');
      const event = (await auditOf(gw, user.username)).find((item) => item.event === 'two_factor.disabled');
      expect(event?.detail).toMatchObject({ passkeysRemoved: 2 });

      const both = await enroll(await member());
      await registerPasskey(both.client, phone(), both.password);
      const off = await both.client.post('/auth/2fa/disable', {
        currentPassword: both.password,
        passcode: await both.authenticator.freshPasscode(),
      });
      expect(off.body).toEqual({ enabled: false });
      expect((await me(both.client)).twoFactor).toEqual({ availableForReseller: true, enabled: false, methods: [] });
    });

    it('a reset ticket removes every passkey of its user', async () => {
      const user = await memberWithPasskey();
      const admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
      const ticket = await openTicket(admin.client, { type: 'reset_user_2fa', targetUsername: user.username });
      await approveTicket(gw, ticket.id);
      await resolvedTicket(gw, ticket.id);
      expectError((await passwordlessSignIn(gw.anon, user.authenticator)).response, 401, 'invalid_passkey');
      const login = await passwordLogin(gw.anon, user);
      expect(login.body.status).toBe('authenticated');
      expect(await list(gw.anon.as(login.body.accessToken))).toEqual([]);
      const reset = (await auditOf(gw, user.username)).find((item) => item.event === 'two_factor.reset');
      expect(reset?.detail).toMatchObject({ passkeysRemoved: 1 });
    });
  });

  it('counts passkey registrations, sign-ins and failures in the metrics', async () => {
    const text = await (await fetch(`${stack.managementUrls('auth')[0]}/metrics`)).text();
    const count = (event: string, outcome: string) =>
      Number(
        new RegExp(
          `pbx2fa_security_events_total\\{event="${event.replace('.', '\\.')}",outcome="${outcome}"\\} (\\d+)`,
        ).exec(text)?.[1] ?? 0,
      );
    expect(count('passkey.registered', 'success')).toBeGreaterThan(10);
    expect(count('login.passkey', 'success')).toBeGreaterThan(0);
    expect(count('login.passkey', 'failure')).toBeGreaterThan(0);
    expect(count('second_factor.rejected', 'failure')).toBeGreaterThan(0);
  });
});

interface PasskeyItem {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}
