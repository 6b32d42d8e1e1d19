import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { expectError, login, type CreatedUser, type Gateway } from './support/api';
import { compactJws, hs256, rs256, unsigned } from './support/jwt';
import { rawHttp } from './support/raw-http';
import { type Stack } from './support/stack';
import {
  enroll,
  passwordLogin,
  signInWithPasscode,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';
import { useStack } from './support/e2e';

const RINGOS_HOST = 'ringos.example.net';
const OTHER_RINGOS_HOST = 'pbx.ringos.example';
const ISSUER = 'https://idp.ringos.example';
const AUDIENCE = 'pbx-dashboard-e2e';
const INTROSPECTION_SECRET = randomBytes(24).toString('hex');

/** RingOS single sign-on waives the passcode — only a verified assertion does; and the sessions it starts. */
describe('RingOS single sign-on and sessions', () => {
  const idp = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = idp.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const header = { alg: 'RS256', typ: 'JWT' };

  let stack: Stack;
  let gw: Gateway;
  let enrolled: EnrolledUser;
  let plain: CreatedUser;

  useStack((started) => ({ stack, gw } = started), {
    serviceEnv: {
      auth: {
        RINGOS_HOSTS: `${RINGOS_HOST}, ${OTHER_RINGOS_HOST}`,
        RINGOS_SSO_PUBLIC_KEY: publicKeyPem,
        RINGOS_SSO_ISSUER: ISSUER,
        RINGOS_SSO_AUDIENCE: AUDIENCE,
        INTROSPECTION_SECRET,
      },
    },
  });

  beforeAll(async () => {
    const reseller = await gw.factory.reseller();
    const admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    enrolled = await enroll(await gw.factory.signedInUser({ resellerId: reseller.id }));
    plain = await gw.factory.user();
  });

  /** What RingOS signs for a user: good for two minutes, used once. */
  const claims = (overrides: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: enrolled.username,
      iss: ISSUER,
      aud: AUDIENCE,
      iat: now,
      exp: now + 120,
      jti: randomUUID(),
      ...overrides,
    };
  };
  const assertion = (overrides: Record<string, unknown> = {}) =>
    compactJws(header, claims(overrides), rs256(idp.privateKey));
  const ssoSignIn = (signed: string) => gw.anon.post('/auth/sso/ringos', { assertion: signed });
  const loginOptions = (host: string) => rawHttp(`${stack.authUrl}/auth/login-options`, { headers: { host } });

  describe('login options', () => {
    it('offers SSO when the dashboard is reached on a RingOS host', async () => {
      for (const host of [RINGOS_HOST, OTHER_RINGOS_HOST, `${RINGOS_HOST}:443`, 'RingOS.Example.NET']) {
        const response = await loginOptions(host);
        expect({ host, status: response.status, body: response.body }).toEqual({
          host,
          status: 200,
          body: { sso: true },
        });
      }
    });

    it('does not offer SSO on any other host', async () => {
      for (const host of ['dashboard.reseller.example', `${RINGOS_HOST}.evil.example`, `evil-${RINGOS_HOST}`]) {
        const response = await loginOptions(host);
        expect({ host, status: response.status, body: response.body }).toEqual({
          host,
          status: 200,
          body: { sso: false },
        });
      }
      expect((await gw.anon.get('/auth/login-options')).body).toEqual({ sso: false });
    });
  });

  describe('a password login that claims to come from RingOS', () => {
    it('still asks for the passcode when the Host header names a RingOS host', async () => {
      const response = await rawHttp(`${stack.authUrl}/auth/login`, {
        method: 'POST',
        headers: { host: RINGOS_HOST },
        json: { username: enrolled.username, password: enrolled.password },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'two_factor_required',
        challengeToken: expect.any(String),
        expiresIn: expect.any(Number),
        methods: expect.arrayContaining(['totp']),
        rememberDeviceDays: 30,
      });
    });

    it('still asks for the passcode when X-Forwarded-Host names a RingOS host', async () => {
      const response = await gw.anon.post(
        '/auth/login',
        { username: enrolled.username, password: enrolled.password },
        { headers: { 'x-forwarded-host': RINGOS_HOST, 'x-forwarded-proto': 'https' } },
      );
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('two_factor_required');
      expect(response.body).not.toHaveProperty('accessToken');
    });
  });

  describe('POST /auth/sso/ringos', () => {
    it('signs an enrolled user in without a passcode from an assertion signed by RingOS', async () => {
      const response = await ssoSignIn(assertion());
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'authenticated',
        accessToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
      const me = await gw.anon.as(response.body.accessToken).get('/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ username: enrolled.username, twoFactor: { enabled: true } });
    });

    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forgeries: [string, () => string][] = [
      ['signed by another key', () => compactJws(header, claims(), rs256(otherKey))],
      ['with alg "none" and no signature', () => compactJws({ alg: 'none', typ: 'JWT' }, claims(), unsigned)],
      [
        'signed HS256 with the public key PEM as the secret',
        () => compactJws({ alg: 'HS256', typ: 'JWT' }, claims(), hs256(publicKeyPem)),
      ],
      ['for another audience', () => assertion({ aud: 'some-other-app' })],
      ['from another issuer', () => assertion({ iss: 'https://idp.attacker.example' })],
      [
        'that has expired',
        () => assertion({ iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 300 }),
      ],
      ['for a user the dashboard does not know', () => assertion({ sub: `nobody-${randomUUID().slice(0, 8)}` })],
      ['without a jti', () => assertion({ jti: undefined })],
      [
        'whose claims were changed after signing',
        () => {
          const [head, , signature] = assertion({ sub: plain.username }).split('.');
          return [head, Buffer.from(JSON.stringify(claims())).toString('base64url'), signature].join('.');
        },
      ],
    ];

    it.each(forgeries)('refuses an assertion %s with 401 invalid_assertion', async (_, forge) => {
      const response = await ssoSignIn(forge());
      expectError(response, 401, 'invalid_assertion');
    });

    it('refuses an assertion the second time (replayed jti)', async () => {
      const once = assertion();
      expect((await ssoSignIn(once)).status).toBe(200);
      expectError(await ssoSignIn(once), 401, 'invalid_assertion');
    });
  });

  describe('sessions', () => {
    const introspect = (token: string, headers: Record<string, string> = {}) =>
      gw.anon.post('/auth/introspect', { token }, { headers });
    const asBackEnd = { 'x-introspection-secret': INTROSPECTION_SECRET };

    it('ends a token at once on logout', async () => {
      const token = await login(stack.authUrl, plain.username, plain.password);
      const client = gw.anon.as(token);
      expect((await client.get('/auth/me')).status).toBe(200);
      const response = await client.post('/auth/logout');
      expect(response.status).toBe(204);
      expectError(await client.get('/auth/me'), 401);
    });

    it('describes a live token to a back end presenting the introspection secret', async () => {
      const token = await signInWithPasscode(gw.anon, enrolled);
      const before = Math.floor(Date.now() / 1000);
      const response = await introspect(token, asBackEnd);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        active: true,
        sub: enrolled.id,
        username: enrolled.username,
        resellerId: enrolled.resellerId,
        role: 'reseller_user',
        amr: expect.any(Array),
        exp: expect.any(Number),
      });
      expect(response.body.amr.length).toBeGreaterThan(0);
      expect(response.body.exp).toBeGreaterThan(before);
    });

    it('lets an agent introspect with a bearer token', async () => {
      const response = await gw.agent.post('/auth/introspect', {
        token: await login(stack.authUrl, plain.username, plain.password),
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ active: true, username: plain.username, role: 'reseller_user' });
    });

    it('says a logged-out or made-up token is not active', async () => {
      const token = await login(stack.authUrl, plain.username, plain.password);
      expect((await gw.anon.as(token).post('/auth/logout')).status).toBe(204);
      const revoked = await introspect(token, asBackEnd);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ active: false });
      expect((await introspect('not-a-token', asBackEnd)).body).toEqual({ active: false });
    });

    it("refuses a reseller user's bearer token with 403", async () => {
      const token = (await passwordLogin(gw.anon, plain)).body.accessToken;
      const response = await gw.anon.as(token).post('/auth/introspect', { token });
      expectError(response, 403);
    });

    it('refuses a caller with no credentials or a wrong secret with 401', async () => {
      const token = await login(stack.authUrl, plain.username, plain.password);
      expectError(await introspect(token), 401);
      expectError(await introspect(token, { 'x-introspection-secret': `${INTROSPECTION_SECRET}x` }), 401);
    });
  });
});
