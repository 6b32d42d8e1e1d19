import { Client } from 'pg';
import { Events, type TicketView } from '@pbx2fa/contracts';
import {
  api,
  connect,
  eventually,
  takeServerErrors,
  type ApiResponse,
  type Gateway,
  type ResellerView,
  type SignedInUser,
} from './support/api';
import { queueDepths } from './support/broker';
import { PrivatePostgres } from './support/private-postgres';
import { SERVICES, startStack, type Stack } from './support/stack';
import { approveTicket, openTicket, switchResellerTwoFactor } from './support/two-factor';

const RESELLERS = 36;

/**
 * Each reseller's approvals, off and on in turn from on (off at the end), and where each stage
 * is made to wait when the database goes: 72 changed events in the auth and tickets consumers'
 * queues (more than a consumer takes at once, so some are still in the queue), 72 approvals in
 * reseller-settings' queue, and one approval per reseller not yet published from the outbox.
 */
const STAGES = [
  { waitsIn: 'the auth and tickets event queues', approvals: 2 },
  { waitsIn: 'the reseller-settings event queue', approvals: 2 },
  { waitsIn: "the tickets service's outbox", approvals: 1 },
] as const;
const APPROVALS_PER_RESELLER = STAGES.reduce((sum, stage) => sum + stage.approvals, 0);

interface Lane {
  reseller: ResellerView;
  admin: SignedInUser;
  tickets: TicketView[];
  versionBefore: number;
}

/**
 * PostgreSQL goes away while approvals wait in every consumer's queue and in the outbox: nothing
 * is dead-lettered, every approval takes effect by itself once the database is back, exactly
 * once and in the order agents made them, and meanwhile every service answers 503
 * database_unavailable — never a 500 — within 5 s. The database is a cluster of this test's own,
 * so stopping it stops no other test's.
 */
describe('approvals through a database outage', () => {
  let postgres: PrivatePostgres;
  let stack: Stack;
  let gw: Gateway;

  beforeAll(async () => {
    postgres = await PrivatePostgres.create();
    stack = await startStack({ postgresPort: postgres.port });
    gw = await connect(stack);
  }, 180_000);

  afterAll(async () => {
    try {
      await postgres?.start().catch(() => undefined);
      await stack?.stop();
    } finally {
      await postgres?.destroy();
    }
  }, 120_000);

  /** A few resellers at a time: a few dozen sign-ins at once would meet the gateway's 503 busy. */
  async function prepareLanes(): Promise<Lane[]> {
    const lanes: Lane[] = [];
    while (lanes.length < RESELLERS) lanes.push(...(await Promise.all(Array.from({ length: 6 }, prepareLane))));
    return lanes;
  }

  async function prepareLane(): Promise<Lane> {
    const reseller = await gw.factory.reseller();
    const admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    const tickets: TicketView[] = [];
    for (let i = 0; i < APPROVALS_PER_RESELLER; i++) {
      tickets.push(
        await openTicket(admin.client, {
          type: i % 2 === 0 ? 'disable_2fa' : 'enable_2fa',
          subject: `outage ${i + 1}`,
        }),
      );
    }
    const versionBefore = (await gw.agent.get<ResellerView>(`/resellers/${reseller.id}`)).body.version;
    return { reseller, admin, tickets, versionBefore };
  }

  /** A connection of the test's own, holding something a service needs until the database stops. */
  async function holder(): Promise<Client> {
    const client = new Client({ connectionString: stack.databaseUrl });
    client.on('error', () => undefined); // the stop cuts this connection
    await client.connect();
    return client;
  }

  /** The service's consumers stop at their inbox: every event they take waits, the rest stay queued. */
  async function holdInbox(schema: string): Promise<Client> {
    const client = await holder();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${schema}.inbox IN EXCLUSIVE MODE`);
    return client;
  }

  /** The tickets service's relay publishes under this lock (outbox-relay.ts); held, approvals stay in the outbox. */
  async function holdOutboxRelay(schema: string): Promise<Client> {
    const client = await holder();
    await client.query("SELECT pg_advisory_lock(hashtext('pbx2fa:outbox-relay:' || $1::text))", [schema]);
    return client;
  }

  async function approveStage(lanes: Lane[], from: number, count: number): Promise<void> {
    for (let i = from; i < from + count; i++) {
      await Promise.all(lanes.map((lane) => approveTicket(gw, lane.tickets[i].id)));
    }
  }

  async function expectQueued(queue: string, count: number): Promise<{ ready: number; taken: number }> {
    let seen = { ready: 0, taken: 0 };
    await eventually(
      async () => {
        const depth = (await queueDepths(stack.vhost)).get(queue);
        expect({ queue, messages: depth?.messages }).toEqual({ queue, messages: count });
        seen = { ready: depth!.ready, taken: depth!.messages - depth!.ready };
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    return seen;
  }

  /** 503 database_unavailable (or service_unavailable from the gateway's wait on another service), within 5 s. */
  async function expectUnavailable(call: () => Promise<ApiResponse>): Promise<void> {
    const started = Date.now();
    const response = await call();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.status).toBe(503);
    expect(['database_unavailable', 'service_unavailable']).toContain(response.body?.error);
  }

  async function outage(seconds: number) {
    const lanes = await prepareLanes();
    const ticketIds = lanes.flatMap((lane) => lane.tickets.map((ticket) => ticket.id));
    const waiting: string[] = [];

    const holders = [await holdInbox('auth'), await holdInbox('tickets')];
    await approveStage(lanes, 0, STAGES[0].approvals);
    for (const service of ['auth', 'tickets']) {
      const { ready, taken } = await expectQueued(`${service}.events`, RESELLERS * STAGES[0].approvals);
      waiting.push(`${ready + taken} in ${service}.events (${ready} not yet delivered)`);
    }

    holders.push(await holdInbox('reseller_settings'));
    await approveStage(lanes, STAGES[0].approvals, STAGES[1].approvals);
    const { ready, taken } = await expectQueued('reseller-settings.events', RESELLERS * STAGES[1].approvals);
    waiting.push(`${ready + taken} in reseller-settings.events (${ready} not yet delivered)`);

    const relayHolder = await holdOutboxRelay('tickets');
    holders.push(relayHolder);
    await approveStage(lanes, STAGES[0].approvals + STAGES[1].approvals, STAGES[2].approvals);
    const { rows } = await relayHolder.query(
      'SELECT count(*)::int AS unpublished FROM tickets.outbox WHERE published_at IS NULL',
    );
    expect(rows[0].unpublished).toBe(RESELLERS * STAGES[2].approvals);
    waiting.push(`${rows[0].unpublished} in the tickets outbox`);

    await postgres.stop();
    let stoppedAt = Date.now();
    try {
      for (const client of holders) void client.end().catch(() => undefined);
      await expectUnavailable(() => lanes[0].admin.client.get('/auth/me'));
      await expectUnavailable(() => gw.agent.get(`/tickets/${lanes[0].tickets[0].id}`));
      await expectUnavailable(() =>
        gw.anon.post('/auth/login', { username: lanes[0].admin.username, password: lanes[0].admin.password }),
      );
      for (const service of SERVICES) {
        const health = await fetch(`${stack.managementUrls(service)[0]}/health/ready`, {
          signal: AbortSignal.timeout(5_000),
        });
        expect({ service, status: health.status }).toEqual({ service, status: 503 });
        expect(((await health.json()) as { error?: { database?: { status?: string } } }).error?.database?.status).toBe(
          'down',
        );
      }
      await new Promise((done) => setTimeout(done, Math.max(0, seconds * 1000 - (Date.now() - stoppedAt))));
    } finally {
      stoppedAt = Date.now() - stoppedAt;
      await postgres.start();
    }
    const back = Date.now();

    const watcher = await holder();
    try {
      await eventually(
        async () => {
          const { rows: statuses } = await watcher.query(
            'SELECT status, count(*)::int AS tickets FROM tickets.tickets WHERE id = ANY($1::uuid[]) GROUP BY status',
            [ticketIds],
          );
          expect(statuses).toEqual([{ status: 'resolved', tickets: ticketIds.length }]);
        },
        { timeoutMs: 90_000, intervalMs: 250 },
      );
    } finally {
      await watcher.end();
    }
    const tookEffectMs = Date.now() - back;

    // Off, on, off, on, off: each approval applied exactly once, the last one holding everywhere.
    for (const lane of lanes) {
      const reseller = (await gw.agent.get<ResellerView>(`/resellers/${lane.reseller.id}`)).body;
      expect({ id: reseller.id, enabled: reseller.twoFactorEnabled, version: reseller.version }).toEqual({
        id: lane.reseller.id,
        enabled: false,
        version: lane.versionBefore + APPROVALS_PER_RESELLER,
      });
      expect((await lane.admin.client.get('/auth/me')).body.twoFactor.availableForReseller).toBe(false);
    }
    const depths = await queueDepths(stack.vhost);
    for (const service of SERVICES) {
      expect({ service, queued: depths.get(`${service}.events`)?.messages }).toEqual({ service, queued: 0 });
      expect({ service, dead: depths.get(`${service}.events.dead`)?.messages }).toEqual({ service, dead: 0 });
    }
    const waitedFor: Record<(typeof SERVICES)[number], string> = {
      auth: Events.ResellerTwoFactorChanged,
      tickets: Events.ResellerTwoFactorChanged,
      'reseller-settings': Events.TicketTwoFactorApproved,
    };
    for (const service of SERVICES) {
      const metrics = await api(stack.managementUrls(service)[0]).get('/metrics');
      expect({ service, waited: metrics.body }).toEqual({
        service,
        waited: expect.stringMatching(
          new RegExp(
            `pbx2fa_events_consumed_total\\{event="${waitedFor[service]}",result="waiting_for_database"\\} [1-9]`,
          ),
        ),
      });
    }
    expect(
      takeServerErrors().filter((line) => !/"error":"(database_unavailable|service_unavailable)"/.test(line)),
    ).toEqual([]);
    console.log(
      `database outage of ${Math.round(stoppedAt / 1000)} s with ${RESELLERS * APPROVALS_PER_RESELLER} approvals of ${RESELLERS} resellers waiting ` +
        `(${waiting.join('; ')}): all took effect ${tookEffectMs} ms after the database returned; nothing dead-lettered`,
    );
  }

  it('waits out a 15-second outage', async () => {
    await outage(15);
  }, 180_000);

  it('waits out a 60-second outage', async () => {
    await outage(60);
  }, 240_000);
});
