import {
  api,
  connect,
  expectError,
  strongPassword,
  takeServerErrors,
  unique,
  type ApiClient,
  type ApiResponse,
  type Gateway,
} from './support/api';
import { startStack, type Stack } from './support/stack';
import { auditOf } from './support/two-factor';

const LIMIT = 10;
const WINDOW_SECONDS = 60;

const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
const nobody = () => ({ username: `nobody-${unique()}`, password: strongPassword() });
const tally = (answers: ApiResponse[]) => {
  const counts: Record<string, number> = {};
  for (const answer of answers)
    counts[`${answer.status} ${answer.body?.error ?? answer.body?.status}`] =
      (counts[`${answer.status} ${answer.body?.error ?? answer.body?.status}`] ?? 0) + 1;
  return counts;
};

function expectLimited(answer: ApiResponse): void {
  expectError(answer, 429, 'too_many_requests');
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
}

/**
 * The sign-in routes are limited per client address, shared by every gateway replica, before any
 * hash is computed: one address flooding them is answered 429 while everyone else signs in.
 */
describe('per-address limits on the sign-in routes', () => {
  let stack: Stack;
  let gw: Gateway;
  let gateways: ApiClient[];

  beforeAll(async () => {
    stack = await startStack({
      replicas: { auth: 2 },
      serviceEnv: {
        auth: { SIGN_IN_LIMIT_PER_ADDRESS: String(LIMIT), SIGN_IN_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) },
      },
    });
    gw = await connect(stack);
    gateways = stack.urls('auth').map((url) => api(url));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  afterEach(() => {
    expect(takeServerErrors()).toEqual([]);
  });

  it('answers 429 too_many_requests with Retry-After past the allowance, without checking the password', async () => {
    const address = '198.51.100.10';
    for (let i = 0; i < LIMIT; i++)
      expectError(await gw.anon.post('/auth/login', nobody(), from(address)), 401, 'invalid_credentials');
    const user = await gw.factory.user();
    const limited = await gw.anon.post(
      '/auth/login',
      { username: user.username, password: user.password },
      from(address),
    );
    expectLimited(limited);
    expect((await auditOf(gw, user.username)).filter((item) => item.event === 'login')).toEqual([]);
    // Another address is not affected.
    expect(
      (await gw.anon.post('/auth/login', { username: user.username, password: user.password }, from('198.51.100.11')))
        .body.status,
    ).toBe('authenticated');
  });

  it('shares one allowance between the gateway replicas, however many requests arrive at once', async () => {
    const address = '198.51.100.20';
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => gateways[i % 2].post('/auth/login', nobody(), from(address))),
    );
    expect(tally(answers)).toEqual({ '401 invalid_credentials': LIMIT, '429 too_many_requests': 60 - LIMIT });
  });

  it('groups IPv6 addresses by /64', async () => {
    for (let i = 1; i <= LIMIT; i++)
      expectError(
        await gw.anon.post('/auth/login', nobody(), from(`2001:db8:1:2::${i.toString(16)}`)),
        401,
        'invalid_credentials',
      );
    expectLimited(await gw.anon.post('/auth/login', nobody(), from('2001:db8:1:2:ffff:ffff:ffff:ffff')));
    expectError(await gw.anon.post('/auth/login', nobody(), from('2001:db8:1:3::1')), 401, 'invalid_credentials');
  });

  it('counts the passcode step and RingOS sign-in in the same allowance', async () => {
    const address = '198.51.100.30';
    for (let i = 0; i < 4; i++)
      expectError(await gw.anon.post('/auth/login', nobody(), from(address)), 401, 'invalid_credentials');
    for (let i = 0; i < 3; i++)
      expectError(
        await gw.anon.post('/auth/login/verify', { challengeToken: `made-up-${i}`, passcode: '123456' }, from(address)),
        401,
        'invalid_challenge',
      );
    for (let i = 0; i < 3; i++)
      expect((await gw.anon.post('/auth/sso/ringos', { assertion: 'not.a.jwt' }, from(address))).status).toBe(401);
    expectLimited(
      await gw.anon.post('/auth/login/verify', { challengeToken: 'made-up', passcode: '123456' }, from(address)),
    );
    expectLimited(await gw.anon.post('/auth/sso/ringos', { assertion: 'not.a.jwt' }, from(address)));
    expectLimited(await gw.anon.post('/auth/login', nobody(), from(address)));
  });

  it('counts the passkey sign-in routes in the same allowance', async () => {
    const address = '198.51.100.31';
    const passkeyRoutes = [
      () => gw.anon.post('/auth/passkey/options', {}, from(address)),
      () => gw.anon.post('/auth/passkey', { response: { id: 'x' } }, from(address)),
      () => gw.anon.post('/auth/login/passkey-options', { challengeToken: 'made-up' }, from(address)),
    ];
    for (let i = 0; i < LIMIT; i++) expect((await passkeyRoutes[i % 3]()).status).not.toBe(429);
    for (const send of passkeyRoutes) expectLimited(await send());
    expectLimited(await gw.anon.post('/auth/login', nobody(), from(address)));
    // The pages' own calls after signing in are not sign-ins.
    expect((await gw.anon.get('/auth/login-options', from(address))).status).toBe(200);
  });

  it('refuses a flood from one address while a user elsewhere keeps signing in', async () => {
    const attacker = '203.0.113.66';
    const user = await gw.factory.user();
    const floodAnswers: ApiResponse[] = [];
    const userAnswers: ApiResponse[] = [];
    let userDone = false;
    const flooder = async (i: number) => {
      while (!userDone) floodAnswers.push(await gateways[i % 2].post('/auth/login', nobody(), from(attacker)));
    };
    const signInsMeanwhile = async () => {
      await new Promise((done) => setTimeout(done, 300));
      for (let i = 0; i < 8; i++) {
        userAnswers.push(
          await gateways[i % 2].post(
            '/auth/login',
            { username: user.username, password: user.password },
            from('198.51.100.99'),
          ),
        );
        await new Promise((done) => setTimeout(done, 200));
      }
      userDone = true;
    };
    await Promise.all([...Array.from({ length: 256 }, (_, i) => flooder(i)), signInsMeanwhile()]);

    expect(tally(userAnswers)).toEqual({ '200 authenticated': 8 });
    const flood = tally(floodAnswers);
    expect(Object.keys(flood).sort()).toEqual(['401 invalid_credentials', '429 too_many_requests']);
    expect(flood['401 invalid_credentials']).toBe(LIMIT);
    expect(flood['429 too_many_requests']).toBeGreaterThanOrEqual(256 - LIMIT);
    for (const answer of floodAnswers.filter((a) => a.status === 429)) expectLimited(answer);
  });
});

/** When more password checks wait than the gateway hashes in about a second, new ones answer 503 busy at once. */
describe('the bounded line of password checks', () => {
  let stack: Stack;
  let gw: Gateway;

  beforeAll(async () => {
    stack = await startStack();
    gw = await connect(stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 503 busy with Retry-After past about a second of waiting hashes, and does not count those attempts against anyone', async () => {
    const user = await gw.factory.user();
    const victimAddress = '198.51.100.200';
    // Fewer than five, so none is refused by the lock: each is either checked (401) or turned away (503).
    const wrong = Array.from({ length: 4 }, (_, i) => ({ username: user.username, password: `wrong-${i}` }));
    const answers = await Promise.all([
      ...Array.from({ length: 600 }, (_, i) => gw.anon.post('/auth/login', nobody(), from(`203.0.113.${i % 250}`))),
      ...wrong.map((body) => gw.anon.post('/auth/login', body, from(victimAddress))),
    ]);
    const busy = answers.filter((answer) => answer.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const answer of busy) {
      expectError(answer, 503, 'busy');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(answers.filter((answer) => answer.status !== 503).every((answer) => answer.status === 401)).toBe(true);
    expect(takeServerErrors().every((line) => line.includes('"error":"busy"'))).toBe(true);

    // Only the wrong passwords that were checked count toward the lock of that address.
    const checked = answers.slice(600).filter((answer) => answer.status === 401).length;
    const left = Math.max(0, 5 - checked);
    for (let i = 0; i < left; i++)
      expectError(
        await gw.anon.post('/auth/login', { username: user.username, password: 'still-wrong' }, from(victimAddress)),
        401,
        'invalid_credentials',
      );
    expectError(
      await gw.anon.post('/auth/login', { username: user.username, password: user.password }, from(victimAddress)),
      429,
      'too_many_attempts',
    );
  });
});
