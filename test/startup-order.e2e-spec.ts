import { randomUUID } from 'node:crypto';
import { ResellerRpc, type ResellerView, type RpcResult, type TicketView } from '@pbx2fa/contracts';
import { connect, eventually, expectError, login, takeServerErrors, type Gateway } from './support/api';
import { queueDepths, startBroker, stopBroker } from './support/broker';
import { startStack, type ServiceName, type Stack } from './support/stack';
import { approveTicket, openTicket, resolvedTicket } from './support/two-factor';
import { query, rpcCall } from './support/wire';

/**
 * The order in which the broker and the services come up does not matter: a service started
 * while the broker is away waits for it (its /health says so meanwhile), and an event published
 * before its consumer ever ran waits in the consumer's queue, which the operator declared (the
 * harness, as compose's definitions file does).
 */
describe('start-up order', () => {
  let stack: Stack;
  let gw: Gateway;
  let reseller: ResellerView;

  beforeAll(async () => {
    // A fresh vhost and database, and no service yet.
    stack = await startStack({ services: [] });
  });

  afterAll(async () => {
    await startBroker();
    await stack?.stop();
  });

  afterEach(() => {
    expect(takeServerErrors().filter((error) => !/→ 503 .*(service_unavailable|"broker")/.test(error))).toEqual([]);
  });

  async function health(service: ServiceName): Promise<{ status: number; body: string }> {
    const response = await fetch(`${stack.managementUrls(service)[0]}/health/ready`, {
      signal: AbortSignal.timeout(5000),
    });
    return { status: response.status, body: await response.text() };
  }

  /** Starts services while the broker is stopped, checks they say so, brings the broker back; ms until healthy. */
  async function startWithoutBroker(
    services: ServiceName[],
    whileDown: () => Promise<void> = async () => {},
  ): Promise<number> {
    let backAt = 0;
    try {
      await stopBroker();
      await Promise.all(services.map((service) => stack.start(service, { until: 'listening' })));
      await Promise.all(
        services.map(async (service) => {
          const answer = await health(service);
          expect({ service, status: answer.status }).toEqual({ service, status: 503 });
          expect(answer.body).toMatch(/"broker":\{[^}]*"status":"down"/);
        }),
      );
      await whileDown();
    } finally {
      backAt = await startBroker();
    }
    await eventually(
      async () => {
        for (const service of services)
          expect({ service, status: (await health(service)).status }).toEqual({ service, status: 200 });
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    return Date.now() - backAt;
  }

  it('starts reseller-settings while the broker is away, and it connects once the broker returns', async () => {
    const tookMs = await startWithoutBroker(['reseller-settings']);
    // Its consumer and its RPC server are attached: it answers a request.
    const created = await rpcCall<RpcResult<ResellerView>>(
      stack.brokerUrlAs('auth'),
      'reseller-settings.rpc',
      ResellerRpc.Create,
      {
        correlationId: `e2e-${randomUUID()}`,
        body: { id: `early-${randomUUID().slice(0, 8)}`, name: 'Early Bird Telecom' },
      },
      // As the gateway asks: reseller-settings serves no other broker user.
      { userId: stack.brokerUsers.auth },
    );
    expect(created.ok).toBe(true);
    reseller = (created as { ok: true; value: ResellerView }).value;
    console.log(`start-up without the broker: reseller-settings healthy ${tookMs} ms after the broker returned`);
  });

  it('keeps an event published before its consumer ever ran: its queue was declared beforehand', async () => {
    // reseller.created went out to auth, which has never run in this vhost.
    await eventually(async () => expect((await queueDepths(stack.vhost)).get('auth.events')?.messages).toBe(1));
    await stack.stopService('reseller-settings');

    const tookMs = await startWithoutBroker(['auth', 'tickets'], async () => {
      // The gateway signs in with the broker away from the start, and answers 503 where it needs it.
      gw = await connect(stack);
      const startedAt = Date.now();
      expectError(await gw.agent.get('/tickets'), 503, 'service_unavailable');
      expect(Date.now() - startedAt).toBeLessThan(5000);
    });
    // auth learnt of the reseller from the queue alone: reseller-settings is stopped, so the gateway could not ask it.
    await eventually(async () => {
      const rows = await query(
        stack.databaseUrl,
        'SELECT reseller_id FROM auth.reseller_policies WHERE reseller_id = $1',
        [reseller.id],
      );
      expect(rows).toHaveLength(1);
    });
    const user = await gw.agent.post('/users', {
      username: `early-${randomUUID().slice(0, 6)}`,
      password: 'Early-Bird-Passw0rd!',
      resellerId: reseller.id,
      role: 'reseller_admin',
    });
    expect(user.status).toBe(201);
    console.log(
      `start-up without the broker: auth and tickets healthy ${tookMs} ms after the broker returned; reseller.created waited for auth`,
    );

    // An approval while its consumer is stopped waits in the consumer's queue too.
    const token = await login(stack.authUrl, user.body.username, 'Early-Bird-Passw0rd!');
    const ticket = await openTicket(gw.anon.as(token), { type: 'enable_2fa', subject: 'Early 2FA' });
    expect((await approveTicket(gw, ticket.id)).status).toBe('approved');
    await eventually(async () =>
      expect((await queueDepths(stack.vhost)).get('reseller-settings.events')?.messages).toBe(1),
    );
    await stack.start('reseller-settings');
    const resolved: TicketView = await resolvedTicket(gw, ticket.id);
    expect(resolved.history.map((entry) => entry.toStatus)).toEqual(['open', 'approved', 'resolved']);
    const me = await gw.anon.as(token).get('/auth/me');
    expect(me.body.twoFactor).toEqual({ availableForReseller: true, enabled: false, methods: [] });
  });
});
