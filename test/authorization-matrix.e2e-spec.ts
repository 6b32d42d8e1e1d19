import {
  connect,
  takeServerErrors,
  type ApiClient,
  type ApiResponse,
  type Gateway,
  type SignedInUser,
} from './support/api';
import { startStack, type Stack } from './support/stack';

/**
 * Every gateway route × every kind of caller × the caller's own reseller and another one, from
 * one table. A route the OpenAPI document lists but the table does not fails the last test, so
 * a new route cannot be forgotten.
 */

type Caller = 'anonymous' | 'reseller_user' | 'reseller_admin' | 'agent';
type Scope = 'own' | 'other';
/** An expected status, or one per scope for routes about a reseller's resources. */
type Expectation = number | { own: number; other: number };

interface World {
  gw: Gateway;
  /** A client for each kind of caller; reseller callers belong to the "own" reseller. */
  clients: Record<Caller, ApiClient>;
  resellers: Record<Scope, string>;
  /** A user of each reseller who is neither of the callers, opener of tickets. */
  colleagues: Record<Scope, SignedInUser>;
  /** A fresh open ticket of a reseller, opened by that reseller's colleague. */
  openTicket(scope: Scope): Promise<string>;
  /** A new access token of the caller, for calls that end the session. */
  freshClient(caller: Caller): Promise<ApiClient>;
}

interface Row {
  method: 'get' | 'post' | 'delete';
  /** As the OpenAPI document names it. */
  path: string;
  call(world: World, client: ApiClient, scope: Scope, caller: Caller): Promise<ApiResponse>;
  expect: Record<Caller, Expectation>;
}

const everyone = (status: number): Record<Caller, Expectation> => ({
  anonymous: status,
  reseller_user: status,
  reseller_admin: status,
  agent: status,
});
const signedIn = (status: number, agent = status): Record<Caller, Expectation> => ({
  anonymous: 401,
  reseller_user: status,
  reseller_admin: status,
  agent,
});

const ROUTES: Row[] = [
  // Sign-in: open to everyone, the answer depends on what is sent, never on who sends it.
  {
    method: 'post',
    path: '/auth/login',
    call: (_, c) => c.post('/auth/login', { username: 'nobody-at-all', password: 'wrong-password' }),
    expect: everyone(401),
  },
  {
    method: 'post',
    path: '/auth/login/verify',
    call: (_, c) => c.post('/auth/login/verify', { challengeToken: 'made-up', passcode: '123456' }),
    expect: everyone(401),
  },
  {
    method: 'post',
    path: '/auth/sso/ringos',
    call: (_, c) => c.post('/auth/sso/ringos', { assertion: 'not.a.jwt' }),
    expect: everyone(401),
  },
  {
    method: 'post',
    path: '/auth/login/passkey-options',
    call: (_, c) => c.post('/auth/login/passkey-options', { challengeToken: 'made-up' }),
    expect: everyone(401),
  },
  {
    method: 'post',
    path: '/auth/passkey/options',
    call: (_, c) => c.post('/auth/passkey/options', {}),
    expect: everyone(200),
  },
  {
    method: 'post',
    path: '/auth/passkey',
    call: (_, c) => c.post('/auth/passkey', { response: { id: 'not-a-passkey' } }),
    expect: everyone(400),
  },
  { method: 'get', path: '/auth/login-options', call: (_, c) => c.get('/auth/login-options'), expect: everyone(200) },
  { method: 'get', path: '/health', call: (_, c) => c.get('/health'), expect: everyone(200) },

  // Sessions and the caller's own account.
  { method: 'get', path: '/auth/me', call: (_, c) => c.get('/auth/me'), expect: signedIn(200) },
  {
    method: 'post',
    path: '/auth/logout',
    call: async (world, _, __, caller) => (await world.freshClient(caller)).post('/auth/logout', {}),
    expect: signedIn(204),
  },
  {
    method: 'post',
    path: '/auth/introspect',
    call: (world, c) => c.post('/auth/introspect', { token: world.colleagues.own.token }),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: 403, agent: 200 },
  },
  // Neither reseller has 2FA and no reseller user enrolled: each refusal is the caller's own state.
  // The agent enrolled at its first sign-in (agents always have a second factor) and may not turn it off.
  {
    method: 'post',
    path: '/auth/2fa/setup',
    call: (_, c) => c.post('/auth/2fa/setup', {}),
    expect: signedIn(403, 409),
  },
  {
    method: 'post',
    path: '/auth/2fa/activate',
    call: (_, c) => c.post('/auth/2fa/activate', { passcode: '123456', currentPassword: 'x' }),
    expect: signedIn(409),
  },
  {
    method: 'post',
    path: '/auth/2fa/disable',
    call: (_, c) => c.post('/auth/2fa/disable', { currentPassword: 'x', passcode: '123456' }),
    expect: signedIn(409, 403),
  },
  {
    method: 'post',
    path: '/auth/2fa/recovery-codes',
    call: (_, c) => c.post('/auth/2fa/recovery-codes', { currentPassword: 'x', passcode: '123456' }),
    expect: signedIn(409, 400),
  },

  // Passkeys: under the same rule as Google Authenticator (the agent always may).
  {
    method: 'post',
    path: '/auth/passkeys/registration-options',
    call: (_, c) => c.post('/auth/passkeys/registration-options', {}),
    expect: signedIn(403, 200),
  },
  {
    method: 'post',
    path: '/auth/passkeys',
    call: (_, c) => c.post('/auth/passkeys', { response: { id: 'x' }, name: 'Key', currentPassword: 'x' }),
    expect: signedIn(403, 400),
  },
  { method: 'get', path: '/auth/passkeys', call: (_, c) => c.get('/auth/passkeys'), expect: signedIn(200) },
  {
    method: 'delete',
    path: '/auth/passkeys/{id}',
    call: (_, c) => c.request('DELETE', '/auth/passkeys/not-an-id', { currentPassword: 'x' }),
    expect: signedIn(400),
  },

  // Remembered devices: each caller's own only (another user's device is 404, in remembered-devices.e2e-spec.ts).
  { method: 'get', path: '/auth/devices', call: (_, c) => c.get('/auth/devices'), expect: signedIn(200) },
  {
    method: 'delete',
    path: '/auth/devices/{id}',
    call: (_, c) => c.delete('/auth/devices/00000000-0000-4000-8000-000000000000'),
    expect: signedIn(404),
  },

  // Resellers and users.
  {
    method: 'post',
    path: '/resellers',
    call: (_, c) => c.post('/resellers', { id: `matrix-${Math.random().toString(36).slice(2, 10)}`, name: 'Matrix' }),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: 403, agent: 201 },
  },
  {
    method: 'get',
    path: '/resellers',
    call: (_, c) => c.get('/resellers', { query: { q: 'Matrix' } }),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: 403, agent: 200 },
  },
  {
    method: 'get',
    path: '/resellers/{id}',
    call: (world, c, scope) => c.get(`/resellers/${world.resellers[scope]}`),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: { own: 200, other: 403 }, agent: 200 },
  },
  {
    method: 'get',
    path: '/resellers/{id}/users',
    call: (world, c, scope) => c.get(`/resellers/${world.resellers[scope]}/users`),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: { own: 200, other: 403 }, agent: 200 },
  },
  {
    method: 'post',
    path: '/users',
    call: (world, c, scope) =>
      c.post('/users', {
        username: `matrix-${Math.random().toString(36).slice(2, 10)}`,
        password: 'a-long-enough-password',
        resellerId: world.resellers[scope],
        role: 'reseller_user',
      }),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: { own: 201, other: 403 }, agent: 201 },
  },

  // Tickets.
  {
    method: 'post',
    path: '/tickets',
    call: (world, c, scope) =>
      c.post('/tickets', { type: 'general', subject: 'Matrix', resellerId: world.resellers[scope] }),
    expect: {
      anonymous: 401,
      reseller_user: { own: 201, other: 403 },
      reseller_admin: { own: 201, other: 403 },
      agent: 201,
    },
  },
  {
    method: 'get',
    path: '/tickets',
    call: (world, c, scope) => c.get('/tickets', { query: { resellerId: world.resellers[scope] } }),
    expect: {
      anonymous: 401,
      reseller_user: { own: 200, other: 403 },
      reseller_admin: { own: 200, other: 403 },
      agent: 200,
    },
  },
  {
    method: 'get',
    path: '/tickets/{id}',
    call: async (world, c, scope) => c.get(`/tickets/${await world.openTicket(scope)}`),
    expect: {
      anonymous: 401,
      reseller_user: { own: 200, other: 404 },
      reseller_admin: { own: 200, other: 404 },
      agent: 200,
    },
  },
  {
    method: 'post',
    path: '/tickets/{id}/comments',
    call: async (world, c, scope) =>
      c.post(`/tickets/${await world.openTicket(scope)}/comments`, { body: 'Any news?' }),
    expect: {
      anonymous: 401,
      reseller_user: { own: 201, other: 404 },
      reseller_admin: { own: 201, other: 404 },
      agent: 201,
    },
  },
  {
    // An internal note is for agents; a reseller's users get 403 (another reseller's ticket: 404).
    method: 'post',
    path: '/tickets/{id}/comments',
    call: async (world, c, scope) =>
      c.post(`/tickets/${await world.openTicket(scope)}/comments`, { body: 'Agents only', internal: true }),
    expect: {
      anonymous: 401,
      reseller_user: { own: 403, other: 404 },
      reseller_admin: { own: 403, other: 404 },
      agent: 201,
    },
  },
  {
    method: 'post',
    path: '/tickets/{id}/assign',
    call: async (world, c, scope) => c.post(`/tickets/${await world.openTicket(scope)}/assign`, { assignee: null }),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: 403, agent: 200 },
  },
  {
    method: 'post',
    path: '/tickets/{id}/approve',
    call: async (world, c, scope) => c.post(`/tickets/${await world.openTicket(scope)}/approve`, {}),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: 403, agent: 200 },
  },
  {
    method: 'post',
    path: '/tickets/{id}/reject',
    call: async (world, c, scope) => c.post(`/tickets/${await world.openTicket(scope)}/reject`, { reason: 'Matrix' }),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: 403, agent: 200 },
  },
  {
    // Only its opener withdraws a ticket; these tickets were opened by a colleague.
    method: 'post',
    path: '/tickets/{id}/close',
    call: async (world, c, scope) => c.post(`/tickets/${await world.openTicket(scope)}/close`, {}),
    expect: {
      anonymous: 401,
      reseller_user: { own: 403, other: 404 },
      reseller_admin: { own: 403, other: 404 },
      agent: 403,
    },
  },

  // Operations.
  {
    method: 'get',
    path: '/audit',
    call: (world, c, scope) => c.get('/audit', { query: { resellerId: world.resellers[scope] } }),
    expect: { anonymous: 401, reseller_user: 403, reseller_admin: { own: 200, other: 403 }, agent: 200 },
  },
];

const CALLERS: Caller[] = ['anonymous', 'reseller_user', 'reseller_admin', 'agent'];

interface Cell {
  row: Row;
  caller: Caller;
  scope: Scope;
  status: number;
  label: string;
}

const SCOPES: Scope[] = ['own', 'other'];

const cells = ROUTES.flatMap((row) =>
  CALLERS.flatMap((caller): Cell[] => {
    const expected = row.expect[caller];
    return typeof expected === 'number'
      ? [{ row, caller, scope: 'own', status: expected, label: '' }]
      : SCOPES.map((scope) => ({
          row,
          caller,
          scope,
          status: expected[scope],
          label: ` (${scope} reseller)`,
        }));
  }),
);

describe('authorization matrix', () => {
  let stack: Stack;
  let world: World;

  beforeAll(async () => {
    stack = await startStack();
    const gw = await connect(stack);
    const own = await gw.factory.reseller();
    const other = await gw.factory.reseller();
    const user = await gw.factory.signedInUser({ resellerId: own.id, role: 'reseller_user' });
    const admin = await gw.factory.signedInUser({ resellerId: own.id, role: 'reseller_admin' });
    const colleagues = {
      own: await gw.factory.signedInUser({ resellerId: own.id }),
      other: await gw.factory.signedInUser({ resellerId: other.id }),
    };
    const credentials: Record<Exclude<Caller, 'anonymous'>, { username: string; password: string }> = {
      reseller_user: user,
      reseller_admin: admin,
      agent: stack.agent,
    };
    world = {
      gw,
      clients: { anonymous: gw.anon, reseller_user: user.client, reseller_admin: admin.client, agent: gw.agent },
      resellers: { own: own.id, other: other.id },
      colleagues,
      async openTicket(scope) {
        const response = await colleagues[scope].client.post('/tickets', {
          type: 'general',
          subject: 'Opened for the matrix',
        });
        if (response.status !== 201)
          throw new Error(`could not open a ticket: ${response.status} ${JSON.stringify(response.body)}`);
        return response.body.id;
      },
      async freshClient(caller) {
        if (caller === 'anonymous') return gw.anon;
        const { username, password } = credentials[caller];
        return gw.anon.as(await gw.login(username, password));
      },
    };
  });

  afterAll(async () => {
    await stack?.stop();
  });

  afterEach(() => {
    expect(takeServerErrors()).toEqual([]);
  });

  it.each(cells)('$row.method $row.path as $caller$label → $status', async ({ row, caller, scope, status }) => {
    const response = await row.call(world, world.clients[caller], scope, caller);
    expect({ status: response.status, body: response.body }).toMatchObject({ status });
    if (status >= 400)
      expect(response.body).toEqual({ statusCode: status, error: expect.any(String), message: expect.any(String) });
  });

  it('lets the opener withdraw their own open ticket', async () => {
    const ticket = await world.openTicket('own');
    const response = await world.colleagues.own.client.post(`/tickets/${ticket}/close`, {});
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('closed');
  });

  it('covers every route the gateway documents', async () => {
    const document = (await (await fetch(`${stack.authUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    const covered = new Set(ROUTES.map((row) => `${row.method} ${row.path}`));
    expect(documented.filter((route) => !covered.has(route))).toEqual([]);
  });
});
