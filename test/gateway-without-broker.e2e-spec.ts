import { api, connect, expectError, login, type ApiResponse, type CreatedUser, type Gateway } from './support/api';
import { expectOnlyOutageErrorsAndEveryServiceRunning, startBroker, stopBroker } from './support/broker';
import { SERVICES, startStack, type Stack } from './support/stack';
import { challengeFor, enroll, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The management port's /health/ready while the service is not (yet) connected to and consuming from the broker. */
function expectBrokerDown(response: ApiResponse): void {
  expect(response.status).toBe(503);
  expect(JSON.stringify(response.body)).toMatch(/broker/);
}

/** The public /health meanwhile: 503 and nothing more. */
function expectNotReady(response: ApiResponse): void {
  expect(response.status).toBe(503);
  expect(response.body).toEqual({ status: 'error' });
}

/**
 * Polls `call` every 100 ms until it answers 200, each answer before that checked by `whileAway`;
 * fails if it still does not 30 s after `since`. Answers how long it took from `since`.
 */
async function recovery(
  what: string,
  call: () => Promise<ApiResponse>,
  since: number,
  whileAway: (response: ApiResponse) => void,
) {
  for (let polls = 1; ; polls++) {
    const response = await call();
    if (response.status === 200) return { ms: Date.now() - since, polls };
    whileAway(response);
    if (Date.now() - since > 30_000)
      throw new Error(`${what} still answers ${response.status} 30 s after the broker returned`);
    await pause(100);
  }
}

/**
 * The gateway needs only its own database to sign people in: with RabbitMQ away it keeps doing
 * that, answers 503 `service_unavailable` at once for what needs another service, and comes back
 * by itself. And no service goes down with the broker.
 */
describe('without the broker', () => {
  let stack: Stack;
  let gw: Gateway;
  let resellerIds: string[];

  beforeAll(async () => {
    stack = await startStack();
    gw = await connect(stack);
    resellerIds = await Promise.all([0, 1, 2].map(async () => (await gw.factory.reseller()).id));
  });

  afterAll(async () => {
    // The broker first: deleting the stack's vhost needs it, and no failure may leave it stopped.
    await startBroker();
    await stack?.stop();
  });

  afterEach(() => expectOnlyOutageErrorsAndEveryServiceRunning(stack));

  it('keeps every service running when the broker goes away while they answer requests', async () => {
    // Requests and their answers in flight at every moment: an answer the broker never confirmed
    // must not take its service down.
    let calls = 0;
    let going = true;
    const callers = Array.from({ length: 16 }, async (_, i) => {
      while (going) {
        const response = await (i % 2
          ? gw.agent.get('/tickets', { query: { limit: 5 } })
          : gw.agent.get(`/resellers/${resellerIds[i % resellerIds.length]}`));
        expect([200, 503]).toContain(response.status);
        calls += 1;
      }
    });
    let backAt = 0;
    try {
      await pause(500);
      await stopBroker();
      await pause(500);
    } finally {
      backAt = await startBroker();
    }
    await pause(1000);
    going = false;
    await Promise.all(callers);
    const running = Object.fromEntries(SERVICES.map((service) => [service, stack.isRunning(service)]));
    expect(running).toEqual({ auth: true, tickets: true, 'reseller-settings': true });
    // Back means every connection of every service is back, not only the one /tickets needs: each
    // reconnects on its own retry timer, and the next tests need all of them (reseller-settings too).
    const outage = (response: ApiResponse) => expectError(response, 503, 'service_unavailable');
    const [tickets, , ...healthy] = await Promise.all([
      recovery('GET /tickets', () => gw.agent.get('/tickets'), backAt, outage),
      recovery('GET /resellers/:id', () => gw.agent.get(`/resellers/${resellerIds[0]}`), backAt, outage),
      ...SERVICES.map((service) =>
        recovery(
          `GET /health/ready of ${service}`,
          () => api(stack.managementUrls(service)[0]).get('/health/ready'),
          backAt,
          expectBrokerDown,
        ),
      ),
    ]);
    console.log(
      `requests during a broker restart: ${calls} calls, every service kept running, answers again ${tickets.ms} ms after the broker returned,` +
        ` every service healthy after ${Math.max(...healthy.map((health) => health.ms))} ms`,
    );
  });

  describe('the gateway while the broker is away', () => {
    let enrolled: EnrolledUser;
    let plain: CreatedUser;

    beforeAll(async () => {
      const resellerId = (await gw.factory.reseller()).id;
      const admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
      await switchResellerTwoFactor(gw, admin, true);
      enrolled = await enroll(await gw.factory.signedInUser({ resellerId }));
      plain = await gw.factory.user();
      await stopBroker();
    });

    afterAll(async () => {
      await startBroker();
    });

    it('answers 503 on the public /health, and says on the management port that the broker is down', async () => {
      expectNotReady(await gw.anon.get('/health'));
      expectBrokerDown(await api(stack.managementUrls('auth')[0]).get('/health/ready'));
    });

    it('signs in with a password, verifies a passcode, answers /auth/me and introspection, and logs out', async () => {
      const token = await login(stack.authUrl, plain.username, plain.password);
      const me = await gw.anon.as(token).get('/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        username: plain.username,
        twoFactor: { availableForReseller: false, enabled: false },
      });

      const challengeToken = await challengeFor(gw.anon, enrolled);
      const verified = await gw.anon.post('/auth/login/verify', {
        challengeToken,
        passcode: await enrolled.authenticator.freshPasscode(),
      });
      expect(verified.status).toBe(200);
      expect(verified.body.status).toBe('authenticated');
      const client = gw.anon.as(verified.body.accessToken);
      expect((await client.get('/auth/me')).body.twoFactor).toEqual({
        availableForReseller: true,
        enabled: true,
        methods: ['totp', 'recovery_code'],
        recoveryCodesLeft: 10,
      });

      const introspected = await gw.agent.post('/auth/introspect', { token: verified.body.accessToken });
      expect(introspected.status).toBe(200);
      expect(introspected.body).toMatchObject({ active: true, username: enrolled.username });

      expect((await client.post('/auth/logout')).status).toBe(204);
      expectError(await client.get('/auth/me'), 401);
      expect((await gw.agent.post('/auth/introspect', { token: verified.body.accessToken })).body).toEqual({
        active: false,
      });
    });

    it('answers 503 service_unavailable on /tickets within 5 s, and recovers by itself when the broker returns', async () => {
      const timings: number[] = [];
      for (const call of [() => gw.agent.get('/tickets'), () => gw.agent.get(`/resellers/${enrolled.resellerId}`)]) {
        const startedAt = Date.now();
        const response = await call();
        timings.push(Date.now() - startedAt);
        expectError(response, 503, 'service_unavailable');
      }
      expect(Math.max(...timings)).toBeLessThan(5000);

      // The gateway comes back over three connections of its own — requests to the other services,
      // event publishing, event consuming — each reconnecting on its own one-second retry timer, and
      // /health is 200 only once all are back and the consumer has declared its queues again. So
      // /tickets and /health recover in either order, moments apart: each is awaited on its own.
      const backAt = await startBroker();
      const [tickets, health] = await Promise.all([
        recovery(
          'GET /tickets',
          () => gw.agent.get('/tickets'),
          backAt,
          (response) => expectError(response, 503, 'service_unavailable'),
        ),
        recovery('GET /health', () => gw.anon.get('/health'), backAt, expectNotReady),
      ]);
      const recoveredMs = tickets.ms;
      console.log(
        `gateway without the broker: GET /tickets and GET /resellers/:id answered 503 in ${timings.join(' ms and ')} ms;` +
          ` GET /tickets answered 200 again ${recoveredMs} ms after the broker returned (${tickets.polls} polls), GET /health ${health.ms} ms (${health.polls} polls)`,
      );
    });
  });
});
