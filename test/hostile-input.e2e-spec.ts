import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Client } from 'pg';
import { type ApiClient, type Gateway, type SignedInUser } from './support/api';
import { type Stack } from './support/stack';
import { useStack } from './support/e2e';

const JWT_SECRET = randomBytes(32).toString('hex');
const DASHBOARD_ORIGIN = 'https://dashboard.pbx.example';

/** Tables whose rows only a successful call may change; the security bookkeeping (audit log,
 * throttles, sessions of the test's own sign-ins) is expected to record refused attempts. */
const SNAPSHOT_TABLES = [
  'auth.users',
  'auth.two_factor_credentials',
  'auth.recovery_codes',
  'auth.reseller_policies',
  'auth.outbox',
  'reseller_settings.resellers',
  'reseller_settings.outbox',
  'tickets.tickets',
  'tickets.ticket_comments',
  'tickets.ticket_history',
  'tickets.outbox',
];

/** What a refused request may answer: a client mistake, never a server one. */
const CLIENT_ERRORS = [400, 401, 403, 404, 409, 413, 429];

function signJwt(claims: object, secret: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('hostile input and trespass', () => {
  let stack: Stack;
  let gw: Gateway;
  let user: SignedInUser;
  let ticketId: string;
  let requestsSent = 0;

  useStack((started) => ({ stack, gw } = started), {
    env: { JWT_SECRET },
    serviceEnv: { auth: { CORS_ORIGINS: DASHBOARD_ORIGIN } },
  });

  beforeAll(async () => {
    user = await gw.factory.signedInUser();
    ticketId = (await user.client.post('/tickets', { type: 'general', subject: 'Existing ticket' })).body.id;
  });

  afterAll(() => {
    console.log(`hostile-input: ${requestsSent} hostile requests sent`);
  });

  async function snapshot(): Promise<Record<string, string>> {
    const client = new Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      const result: Record<string, string> = {};
      for (const table of SNAPSHOT_TABLES) {
        const { rows } = await client.query(
          `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${table} t`,
        );
        result[table] = rows[0].digest;
      }
      return result;
    } finally {
      await client.end();
    }
  }

  describe('tokens', () => {
    const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

    it('refuses an expired token even with a valid signature and a live session', async () => {
      const claims = claimsOf(user.token);
      const expired = signJwt(
        { ...claims, iat: claims.iat - 7200, exp: Math.floor(Date.now() / 1000) - 60 },
        JWT_SECRET,
      );
      expect((await gw.anon.as(expired).get('/auth/me')).status).toBe(401);
      expect((await user.client.get('/auth/me')).status).toBe(200);
    });

    it('refuses a token signed with the development key or a guessed one', async () => {
      const claims = claimsOf(user.token);
      for (const key of ['pbx2fa-development-jwt-secret-do-not-use-in-production', 'secret', JWT_SECRET.slice(0, -1)]) {
        const response = await gw.anon.as(signJwt({ ...claims, role: 'agent' }, key)).get('/auth/me');
        expect({ key, status: response.status }).toEqual({ key, status: 401 });
      }
    });

    it('refuses a well-signed token naming a session that does not exist', async () => {
      const claims = claimsOf(user.token);
      const invented = signJwt({ ...claims, jti: '00000000-0000-4000-8000-000000000000' }, JWT_SECRET);
      expect((await gw.anon.as(invented).get('/auth/me')).status).toBe(401);
    });

    it("refuses a well-signed token whose subject is not the session's user", async () => {
      const claims = claimsOf(user.token);
      const agentClaims = claimsOf(gw.agentToken);
      const swapped = signJwt({ ...claims, sub: agentClaims.sub }, JWT_SECRET);
      expect((await gw.anon.as(swapped).get('/auth/me')).status).toBe(401);
    });
  });

  describe('headers for browsers', () => {
    it.each(['/auth/login-options', '/docs'])('sends security headers on %s', async (path) => {
      const response = await fetch(`${stack.authUrl}${path}`);
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-powered-by')).toBeNull();
      expect(response.headers.get('set-cookie')).toBeNull();
    });

    it('allows cross-origin calls from the configured dashboard origin only', async () => {
      const preflight = (origin: string) =>
        fetch(`${stack.authUrl}/auth/login`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
      expect((await preflight(DASHBOARD_ORIGIN)).headers.get('access-control-allow-origin')).toBe(DASHBOARD_ORIGIN);
      expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
      const allowed = await fetch(`${stack.authUrl}/auth/login-options`, { headers: { origin: DASHBOARD_ORIGIN } });
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    });
  });

  describe('generated malformed requests', () => {
    /** Every gateway route that takes a body or a query, with the fields it accepts. */
    const routes: { method: 'GET' | 'POST'; path: () => string; accepts: string[] }[] = [
      { method: 'POST', path: () => '/auth/login', accepts: ['username', 'password'] },
      { method: 'POST', path: () => '/auth/login/verify', accepts: ['challengeToken', 'passcode', 'recoveryCode'] },
      { method: 'POST', path: () => '/auth/sso/ringos', accepts: ['assertion'] },
      { method: 'POST', path: () => '/auth/introspect', accepts: ['token'] },
      { method: 'POST', path: () => '/auth/2fa/setup', accepts: [] },
      { method: 'POST', path: () => '/auth/2fa/activate', accepts: ['passcode', 'currentPassword'] },
      { method: 'POST', path: () => '/auth/2fa/disable', accepts: ['currentPassword', 'passcode', 'recoveryCode'] },
      { method: 'POST', path: () => '/auth/2fa/recovery-codes', accepts: ['currentPassword', 'passcode'] },
      { method: 'POST', path: () => '/resellers', accepts: ['id', 'name'] },
      { method: 'POST', path: () => '/users', accepts: ['username', 'password', 'resellerId', 'role'] },
      {
        method: 'POST',
        path: () => '/tickets',
        accepts: ['type', 'subject', 'description', 'targetUsername', 'resellerId'],
      },
      { method: 'POST', path: () => `/tickets/${ticketId}/comments`, accepts: ['body', 'internal'] },
      { method: 'POST', path: () => `/tickets/${ticketId}/assign`, accepts: ['assignee'] },
      { method: 'POST', path: () => `/tickets/${ticketId}/approve`, accepts: ['note'] },
      { method: 'POST', path: () => `/tickets/${ticketId}/reject`, accepts: ['reason'] },
      {
        method: 'GET',
        path: () => '/tickets',
        accepts: ['status', 'type', 'resellerId', 'assignee', 'q', 'sort', 'limit', 'cursor'],
      },
      { method: 'GET', path: () => '/resellers', accepts: ['q'] },
      { method: 'GET', path: () => '/audit', accepts: ['username', 'resellerId', 'limit'] },
    ];

    const nasty = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '\u0000',
        'a\u0000b',
        '__proto__',
        '../../etc/passwd',
        "' OR 1=1 --",
        '%00',
        '😀'.repeat(50),
        'x'.repeat(100_000),
        '-1',
        '1e309',
      ),
      fc.integer(),
      fc.double(),
      fc.constantFrom(-1, 0, 1e21, Number.MAX_SAFE_INTEGER),
      fc.boolean(),
      fc.constant(null),
    );
    /** A body no route should accept: unknown keys, wrong types, hostile text, or not an object. */
    const hostileBody = (accepts: string[]) =>
      fc.oneof(
        fc.jsonValue(),
        fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'role', 'resellerId')), nasty),
        fc.record(Object.fromEntries(accepts.map((key) => [key, nasty])), { requiredKeys: [] }),
      );

    async function send(client: ApiClient, method: 'GET' | 'POST', path: string, payload: unknown) {
      requestsSent += 1;
      if (method === 'GET') {
        const query =
          payload && typeof payload === 'object' && !Array.isArray(payload)
            ? (payload as Record<string, unknown>)
            : { unexpected: payload }; // a name no route accepts (q is one GET /tickets takes)
        // Node itself answers a URL over 16 KiB with a bare 431 before the gateway sees it.
        const search = new URLSearchParams(
          Object.entries(query).map(([key, value]): [string, string] => [
            key.slice(0, 200),
            String(value).slice(0, 2000),
          ]),
        ).toString();
        return client.raw({ method, path: `${path}?${search}` });
      }
      return client.raw({
        method,
        path,
        body: JSON.stringify(payload),
        headers: { 'content-type': 'application/json' },
      });
    }

    /** Fields where true or false is a valid value (a comment's `internal`). */
    const BOOLEAN_FIELDS = new Set(['internal']);

    /** Skips the rare generated body that is a valid request: this test is about refusals. */
    const plausiblyValid = (method: 'GET' | 'POST', accepts: string[], payload: unknown) =>
      payload !== null &&
      typeof payload === 'object' &&
      !Array.isArray(payload) &&
      Object.keys(payload).every((key) => accepts.includes(key)) &&
      // In a query string every value is text, so known names alone may make a valid query.
      // A null optional field counts as absent.
      (method === 'GET' ||
        Object.entries(payload).every(
          ([key, value]) =>
            value === null ||
            (BOOLEAN_FIELDS.has(key) && typeof value === 'boolean') ||
            (typeof value === 'string' && value.length < 200 && !value.includes('\u0000')),
        ));

    it('answers every one with a 4xx and the error body, and changes nothing', async () => {
      const before = await snapshot();
      const callers: ApiClient[] = [gw.agent, user.client];
      const request = fc
        .constantFrom(...routes)
        .chain((route) =>
          fc.record({ route: fc.constant(route), payload: hostileBody(route.accepts), who: fc.constantFrom(0, 1) }),
        );
      await fc.assert(
        fc.asyncProperty(request, async ({ route, payload, who }) => {
          // Judged as it travels: NaN and Infinity become null in JSON, which may make a valid body.
          const onTheWire: unknown = route.method === 'GET' ? payload : JSON.parse(JSON.stringify(payload) ?? 'null');
          fc.pre(!plausiblyValid(route.method, route.accepts, onTheWire));
          const response = await send(callers[who], route.method, route.path(), payload);
          const seen = {
            route: `${route.method} ${route.path()}`,
            payload,
            status: response.status,
            body: response.body,
          };
          expect(CLIENT_ERRORS.includes(response.status) ? 'client error' : seen).toBe('client error');
          expect(Object.keys(response.body ?? {}).sort()).toEqual(['error', 'message', 'statusCode']);
        }),
        { numRuns: 400 },
      );
      const after = await snapshot();
      expect(Object.keys(before).filter((table) => before[table] !== after[table])).toEqual([]);
    });

    it('answers generated path ids and query strings with a 4xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string(), fc.constantFrom('/tickets/', '/resellers/'), async (id, prefix) => {
          requestsSent += 1;
          const response = await gw.agent.raw({ method: 'GET', path: `${prefix}${encodeURIComponent(id)}` });
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) expect([400, 404]).toContain(response.status);
        }),
        { numRuns: 150 },
      );
    });
  });

  describe('timing', () => {
    async function medianMs(attempt: (index: number) => Promise<unknown>, runs: number): Promise<number> {
      const times: number[] = [];
      for (let index = 0; index < runs; index++) {
        const started = process.hrtime.bigint();
        await attempt(index);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)];
    }

    it('costs an unknown username as much as a wrong password', async () => {
      // Each attempt comes from its own address (X-Forwarded-For from loopback is trusted), so the
      // password throttle never answers early for either kind.
      const attempt = (username: string, tag: string) => (index: number) =>
        gw.anon.post(
          '/auth/login',
          { username, password: 'not-the-password' },
          { headers: { 'x-forwarded-for': `10.${tag}.${index >> 8}.${index & 255}` } },
        );
      const runs = 31;
      // Interleaving in blocks keeps a noisy neighbour from favouring one side.
      let unknown = 0;
      let wrong = 0;
      for (let block = 0; block < 3; block++) {
        unknown += await medianMs(attempt(`nobody-${block}-${Date.now()}`, `${block + 1}`), runs);
        wrong += await medianMs(attempt(user.username, `${block + 11}`), runs);
      }
      const ratio = unknown / wrong;
      console.log(
        `timing: unknown user median ${(unknown / 3).toFixed(1)} ms, wrong password ${(wrong / 3).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
      );
      expect(ratio).toBeGreaterThan(0.7);
      expect(ratio).toBeLessThan(1.4);
    });
  });
});
