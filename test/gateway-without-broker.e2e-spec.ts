import { connect, eventually, expectError, login, type CreatedUser, type Gateway } from './support/api';
import { expectOnlyOutageErrorsAndEveryServiceRunning, startBroker, stopBroker } from './support/broker';
import { SERVICES, startStack, type Stack } from './support/stack';
import { challengeFor, enroll, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

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
        const response = await (i % 2 ? gw.agent.get('/tickets', { query: { limit: 5 } }) : gw.agent.get(`/resellers/${resellerIds[i % resellerIds.length]}`));
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
    await eventually(async () => expect((await gw.agent.get('/tickets')).status).toBe(200));
    console.log(`requests during a broker restart: ${calls} calls, every service kept running, answers again ${Date.now() - backAt} ms after the broker returned`);
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

    it('says on /health that the broker is down', async () => {
      const response = await gw.anon.get('/health');
      expect(response.status).toBe(503);
      expect(JSON.stringify(response.body)).toMatch(/broker/);
    });

    it('signs in with a password, verifies a passcode, answers /auth/me and introspection, and logs out', async () => {
      const token = await login(stack.authUrl, plain.username, plain.password);
      const me = await gw.anon.as(token).get('/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ username: plain.username, twoFactor: { availableForReseller: false, enabled: false } });

      const challengeToken = await challengeFor(gw.anon, enrolled);
      const verified = await gw.anon.post('/auth/login/verify', { challengeToken, passcode: await enrolled.authenticator.freshPasscode() });
      expect(verified.status).toBe(200);
      expect(verified.body.status).toBe('authenticated');
      const client = gw.anon.as(verified.body.accessToken);
      expect((await client.get('/auth/me')).body.twoFactor).toEqual({ availableForReseller: true, enabled: true });

      const introspected = await gw.agent.post('/auth/introspect', { token: verified.body.accessToken });
      expect(introspected.status).toBe(200);
      expect(introspected.body).toMatchObject({ active: true, username: enrolled.username });

      expect((await client.post('/auth/logout')).status).toBe(204);
      expectError(await client.get('/auth/me'), 401);
      expect((await gw.agent.post('/auth/introspect', { token: verified.body.accessToken })).body).toEqual({ active: false });
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

      const backAt = await startBroker();
      let polls = 0;
      for (;;) {
        polls += 1;
        const response = await gw.agent.get('/tickets');
        if (response.status === 200) break;
        expectError(response, 503, 'service_unavailable');
        if (Date.now() - backAt > 30_000) throw new Error('GET /tickets still answers 503 30 s after the broker returned');
        await pause(100);
      }
      const recoveredMs = Date.now() - backAt;
      expect((await gw.anon.get('/health')).status).toBe(200);
      console.log(
        `gateway without the broker: GET /tickets and GET /resellers/:id answered 503 in ${timings.join(' ms and ')} ms;` +
          ` GET /tickets answered 200 again ${recoveredMs} ms after the broker returned (${polls} polls)`,
      );
    });
  });
});
