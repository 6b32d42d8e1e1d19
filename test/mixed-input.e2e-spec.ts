import fc from 'fast-check';
import { type ApiClient, type ApiResponse, type Gateway, type SignedInUser } from './support/api';
import { type Stack } from './support/stack';
import { enroll, startSetup, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';
import { useStack } from './support/e2e';

/**
 * Bodies assembled from the fields of every route, with values of every JSON type, sent to every
 * JSON route as the caller it expects. Unlike the hostile-input fuzz, many of them are nearly
 * right: a live challenge, the caller's real password, a passcode-shaped passcode. So they get
 * past the first checks to the code behind, where a field of the wrong type used to become a 500.
 * Whatever comes back must be below 500, and a refusal must carry the contract's error body.
 */

/** A value known only once the stack runs, filled in just before sending. */
class Live {
  constructor(readonly name: 'challenge' | 'password' | 'username' | 'token' | 'resellerId' | 'agentUsername') {}
}

/** The fields each route takes today. */
const FIELDS_BY_ROUTE = {
  login: ['username', 'password', 'deviceToken'],
  verify: ['challengeToken', 'passcode', 'recoveryCode', 'passkey', 'rememberDevice'],
  passkeyOptions: ['challengeToken'],
  passwordless: ['response'],
  addPasskey: ['response', 'name', 'currentPassword'],
  activate: ['passcode', 'currentPassword'],
  disable: ['currentPassword', 'passcode', 'recoveryCode'],
  recoveryCodes: ['currentPassword', 'passcode'],
  sso: ['assertion'],
  introspect: ['token'],
  resellers: ['id', 'name'],
  users: ['username', 'password', 'resellerId', 'role', 'email'],
  tickets: ['type', 'subject', 'description', 'targetUsername', 'resellerId'],
  comment: ['body', 'internal'],
  assign: ['assignee'],
  approve: ['note'],
  reject: ['reason'],
  listTickets: ['status', 'type', 'resellerId', 'assignee', 'q', 'sort', 'limit', 'cursor'],
  findResellers: ['q'],
  audit: ['username', 'resellerId', 'limit'],
};
/** Fields the contract names that no route takes yet; they go into bodies as fields of other routes do. */
const CONTRACT_ONLY_FIELDS = ['graceDays'];
const ALL_FIELDS = [...new Set([...Object.values(FIELDS_BY_ROUTE).flat(), ...CONTRACT_ONLY_FIELDS])];

/** What a right-looking value for each field is. */
const plausible: Record<string, fc.Arbitrary<unknown>> = {
  username: fc.constant(new Live('username')),
  password: fc.oneof(fc.constant(new Live('password')), fc.string({ minLength: 1, maxLength: 30 })),
  currentPassword: fc.oneof(fc.constant(new Live('password')), fc.string({ minLength: 1, maxLength: 30 })),
  challengeToken: fc.constant(new Live('challenge')),
  token: fc.constant(new Live('token')),
  passcode: fc.stringMatching(/^\d{6}$/),
  recoveryCode: fc.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/),
  resellerId: fc.oneof(fc.constant(new Live('resellerId')), fc.stringMatching(/^[a-z0-9-]{2,40}$/)),
  id: fc.stringMatching(/^[a-z0-9-]{2,40}$/),
  role: fc.constantFrom('reseller_user', 'reseller_admin', 'agent'),
  email: fc.emailAddress(),
  type: fc.constantFrom('enable_2fa', 'require_2fa', 'disable_2fa', 'reset_user_2fa', 'general'),
  targetUsername: fc.constant(new Live('username')),
  graceDays: fc.integer({ min: 0, max: 90 }),
  internal: fc.boolean(),
  assignee: fc.oneof(fc.constant(new Live('agentUsername')), fc.constant('me'), fc.constant(null)),
  sort: fc.constantFrom('oldest', 'newest'),
  status: fc.constantFrom('open', 'approved', 'resolved', 'rejected', 'closed'),
  limit: fc.integer({ min: 1, max: 100 }),
  rememberDevice: fc.boolean(),
  passkey: fc.record({
    id: fc.string(),
    type: fc.constant('public-key'),
    response: fc.dictionary(fc.string(), fc.string()),
  }),
  response: fc.record({ id: fc.string(), type: fc.constant('public-key') }),
};
const text = fc.string({ minLength: 1, maxLength: 60 });

/** Any JSON value: the wrong type for most fields. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('😀'.repeat(300), 'x'.repeat(20_000), 'ß\u0301\u202e\ufeff', '١٢٣٤٥٦', '１２３４５６'),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
);

/** Each field absent, right-looking, or of another type. */
const fieldValue = (field: string) =>
  fc.oneof({ weight: 3, arbitrary: plausible[field] ?? text }, { weight: 2, arbitrary: anyValue });

/** The route's own fields, plus sometimes fields of other routes. */
const mixedBody = (own: readonly string[]) =>
  fc
    .tuple(
      fc.record(Object.fromEntries(own.map((field) => [field, fieldValue(field)])), { requiredKeys: [] }),
      fc.oneof(
        { weight: 2, arbitrary: fc.constant({}) },
        {
          weight: 1,
          arbitrary: fc.dictionary(fc.constantFrom(...ALL_FIELDS), fc.oneof(...ALL_FIELDS.map(fieldValue)), {
            maxKeys: 3,
          }),
        },
      ),
    )
    .map(([ownFields, foreign]) => ({ ...foreign, ...ownFields }));

type Caller = 'anon' | 'agent' | 'user' | 'pending' | 'fresh';

interface Route {
  name: string;
  method: 'GET' | 'POST';
  path: () => string;
  own: readonly string[];
  callers: readonly Caller[];
}

/** Documentation addresses, one per request, so no per-address limit answers for the gateway's own checks. */
let addressCounter = 0;
const nextAddress = () => {
  addressCounter += 1;
  return `${addressCounter % 2 ? '198.51.100' : '203.0.113'}.${(addressCounter >> 1) % 256}`;
};

describe('bodies mixing the fields of every route', () => {
  let stack: Stack;
  let gw: Gateway;
  let enrolled: EnrolledUser[];
  let pending: SignedInUser;
  /** A user without 2FA, whose sessions logout may end. */
  let plain: SignedInUser;
  let ticketId: string;
  let resellerId: string;
  const tally: Record<string, Record<number, number>> = {};

  /** Enrolled users take turns as the subject, so the guessing lock rarely closes on the fuzz. */
  const subjects = {
    index: 0,
    wrongGuesses: 0,
    get current(): EnrolledUser {
      return enrolled[Math.min(this.index, enrolled.length - 1)];
    },
    note(response: ApiResponse): void {
      if (response.body?.error === 'invalid_passcode') this.wrongGuesses += 1;
      if (this.wrongGuesses >= 4 || response.body?.error === 'too_many_attempts') {
        this.index += 1;
        this.wrongGuesses = 0;
      }
    },
  };

  useStack((started) => ({ stack, gw } = started));

  beforeAll(async () => {
    const admin = await gw.factory.signedInUser({ role: 'reseller_admin' });
    resellerId = admin.resellerId!;
    await switchResellerTwoFactor(gw, admin, true);
    enrolled = [];
    for (let count = 0; count < 12; count++) enrolled.push(await enroll(await gw.factory.signedInUser({ resellerId })));
    pending = await gw.factory.signedInUser({ resellerId });
    await startSetup(pending);
    plain = await gw.factory.signedInUser();
    ticketId = (await admin.client.post('/tickets', { type: 'general', subject: 'Left open for the fuzz' })).body.id;
  });

  afterAll(() => {
    console.log(
      `mixed-input: answers by route and status ${JSON.stringify(tally)}; ${Math.min(subjects.index, enrolled?.length ?? 0)} of ${enrolled?.length} subjects used up`,
    );
  });

  const routes: Route[] = [
    {
      name: 'POST /auth/login',
      method: 'POST',
      path: () => '/auth/login',
      own: FIELDS_BY_ROUTE.login,
      callers: ['anon'],
    },
    {
      name: 'POST /auth/login/verify',
      method: 'POST',
      path: () => '/auth/login/verify',
      own: FIELDS_BY_ROUTE.verify,
      callers: ['anon'],
    },
    {
      name: 'POST /auth/login/passkey-options',
      method: 'POST',
      path: () => '/auth/login/passkey-options',
      own: FIELDS_BY_ROUTE.passkeyOptions,
      callers: ['anon'],
    },
    {
      name: 'POST /auth/passkey/options',
      method: 'POST',
      path: () => '/auth/passkey/options',
      own: [],
      callers: ['anon'],
    },
    {
      name: 'POST /auth/passkey',
      method: 'POST',
      path: () => '/auth/passkey',
      own: FIELDS_BY_ROUTE.passwordless,
      callers: ['anon'],
    },
    {
      name: 'POST /auth/passkeys/registration-options',
      method: 'POST',
      path: () => '/auth/passkeys/registration-options',
      own: [],
      callers: ['user', 'agent'],
    },
    {
      name: 'POST /auth/passkeys',
      method: 'POST',
      path: () => '/auth/passkeys',
      own: FIELDS_BY_ROUTE.addPasskey,
      callers: ['user', 'agent'],
    },
    {
      name: 'POST /auth/sso/ringos',
      method: 'POST',
      path: () => '/auth/sso/ringos',
      own: FIELDS_BY_ROUTE.sso,
      callers: ['anon'],
    },
    {
      name: 'POST /auth/introspect',
      method: 'POST',
      path: () => '/auth/introspect',
      own: FIELDS_BY_ROUTE.introspect,
      callers: ['anon', 'agent'],
    },
    { name: 'POST /auth/logout', method: 'POST', path: () => '/auth/logout', own: [], callers: ['fresh'] },
    {
      name: 'POST /auth/2fa/setup',
      method: 'POST',
      path: () => '/auth/2fa/setup',
      own: [],
      callers: ['user', 'agent'],
    },
    {
      name: 'POST /auth/2fa/activate',
      method: 'POST',
      path: () => '/auth/2fa/activate',
      own: FIELDS_BY_ROUTE.activate,
      callers: ['pending'],
    },
    {
      name: 'POST /auth/2fa/disable',
      method: 'POST',
      path: () => '/auth/2fa/disable',
      own: FIELDS_BY_ROUTE.disable,
      callers: ['user'],
    },
    {
      name: 'POST /auth/2fa/recovery-codes',
      method: 'POST',
      path: () => '/auth/2fa/recovery-codes',
      own: FIELDS_BY_ROUTE.recoveryCodes,
      callers: ['user'],
    },
    {
      name: 'POST /resellers',
      method: 'POST',
      path: () => '/resellers',
      own: FIELDS_BY_ROUTE.resellers,
      callers: ['agent', 'user'],
    },
    {
      name: 'POST /users',
      method: 'POST',
      path: () => '/users',
      own: FIELDS_BY_ROUTE.users,
      callers: ['agent', 'user'],
    },
    {
      name: 'POST /tickets',
      method: 'POST',
      path: () => '/tickets',
      own: FIELDS_BY_ROUTE.tickets,
      callers: ['user', 'agent'],
    },
    {
      name: 'POST /tickets/:id/comments',
      method: 'POST',
      path: () => `/tickets/${ticketId}/comments`,
      own: FIELDS_BY_ROUTE.comment,
      callers: ['user', 'agent'],
    },
    {
      name: 'POST /tickets/:id/assign',
      method: 'POST',
      path: () => `/tickets/${ticketId}/assign`,
      own: FIELDS_BY_ROUTE.assign,
      callers: ['user', 'agent'],
    },
    {
      name: 'POST /tickets/:id/approve',
      method: 'POST',
      path: () => `/tickets/${ticketId}/approve`,
      own: FIELDS_BY_ROUTE.approve,
      callers: ['agent'],
    },
    {
      name: 'POST /tickets/:id/reject',
      method: 'POST',
      path: () => `/tickets/${ticketId}/reject`,
      own: FIELDS_BY_ROUTE.reject,
      callers: ['agent'],
    },
    {
      name: 'POST /tickets/:id/close',
      method: 'POST',
      path: () => `/tickets/${ticketId}/close`,
      own: [],
      callers: ['user'],
    },
    {
      name: 'GET /tickets',
      method: 'GET',
      path: () => '/tickets',
      own: FIELDS_BY_ROUTE.listTickets,
      callers: ['user', 'agent'],
    },
    {
      name: 'GET /resellers',
      method: 'GET',
      path: () => '/resellers',
      own: FIELDS_BY_ROUTE.findResellers,
      callers: ['user', 'agent'],
    },
    { name: 'GET /audit', method: 'GET', path: () => '/audit', own: FIELDS_BY_ROUTE.audit, callers: ['agent'] },
  ];

  async function signIn(user: { username: string; password: string }): Promise<ApiResponse> {
    return gw.anon.post(
      '/auth/login',
      { username: user.username, password: user.password },
      { headers: { 'x-forwarded-for': nextAddress() } },
    );
  }

  /** Fills in live values: those of the enrolled subject, except the password of whoever calls. */
  async function fill(value: unknown, caller: Caller): Promise<unknown> {
    if (value instanceof Live) {
      const subject = subjects.current;
      switch (value.name) {
        case 'challenge':
          return (await signIn(subject)).body?.challengeToken ?? 'no-challenge-was-given';
        case 'password':
          return caller === 'pending' ? pending.password : caller === 'agent' ? stack.agent.password : subject.password;
        case 'username':
          return subject.username;
        case 'token':
          return subject.token;
        case 'resellerId':
          return resellerId;
        case 'agentUsername':
          return stack.agent.username;
      }
    }
    if (Array.isArray(value)) return Promise.all(value.map((item) => fill(item, caller)));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await fill(item, caller)])),
      );
    }
    return value;
  }

  async function clientFor(caller: Caller): Promise<ApiClient> {
    switch (caller) {
      case 'anon':
        return gw.anon;
      case 'agent':
        return gw.agent;
      case 'user':
        return subjects.current.client;
      case 'pending':
        return pending.client;
      case 'fresh':
        // Logging out ends the caller's session, so each call gets a session of its own.
        return gw.anon.as(await gw.login(plain.username, plain.password));
    }
  }

  async function send(route: Route, caller: Caller, payload: Record<string, unknown>): Promise<ApiResponse> {
    const client = await clientFor(caller);
    const body = (await fill(payload, caller)) as Record<string, unknown>;
    const headers = { 'x-forwarded-for': nextAddress() };
    if (route.method === 'GET') {
      const query = new URLSearchParams(
        Object.entries(body).map(([key, value]): [string, string] => [key, String(value).slice(0, 2000)]),
      );
      return client.raw({ method: 'GET', path: `${route.path()}?${query.toString()}`, headers });
    }
    return client.raw({
      method: 'POST',
      path: route.path(),
      body: JSON.stringify(body),
      headers: { ...headers, 'content-type': 'application/json' },
    });
  }

  it.each(routes.map((route) => [route.name, route] as const))(
    '%s answers below 500, and refuses with the error body',
    async (name, route) => {
      const statuses = (tally[name] = {} as Record<number, number>);
      await fc.assert(
        fc.asyncProperty(mixedBody(route.own), fc.constantFrom(...route.callers), async (payload, caller) => {
          const response = await send(route, caller, payload);
          if (caller !== 'pending') subjects.note(response);
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          const seen = { route: name, caller, payload, status: response.status, body: response.body };
          expect(response.status < 500 ? 'below 500' : seen).toBe('below 500');
          if (response.status >= 400) {
            expect(response.body).toEqual({
              statusCode: response.status,
              error: expect.any(String),
              message: expect.any(String),
            });
          }
        }),
        { numRuns: route.own.length ? 100 : 20 },
      );
    },
  );
});
