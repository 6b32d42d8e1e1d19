import { Client } from 'pg';
import type { TicketView } from '@pbx2fa/contracts';
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

const RESELLERS = 4;
const APPROVALS_PER_RESELLER = 3;

/** A reseller with three 2FA tickets waiting: off, on, off again — the last one is what must hold. */
interface Lane {
  reseller: ResellerView;
  admin: SignedInUser;
  tickets: TicketView[];
}

/**
 * PostgreSQL goes away while approvals wait in the consumer: nothing is dead-lettered, every
 * approval takes effect by itself once the database is back, in the order agents made them, and
 * meanwhile every service answers 503 database_unavailable — never a 500 — within 5 s. The
 * database is a cluster of this test's own, so stopping it stops no other test's.
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

  async function prepareLanes(): Promise<Lane[]> {
    return Promise.all(
      Array.from({ length: RESELLERS }, async () => {
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
        return { reseller, admin, tickets };
      }),
    );
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
    const ids = lanes.map((lane) => lane.reseller.id);

    // Hold the reseller rows, so the approvals reach the consumer and wait there for the database.
    const holder = new Client({ connectionString: stack.databaseUrl });
    await holder.connect();
    holder.on('error', () => undefined); // the stop below cuts this connection
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM reseller_settings.resellers WHERE id = ANY($1) FOR UPDATE', [ids]);
    for (let i = 0; i < APPROVALS_PER_RESELLER; i++) {
      await Promise.all(lanes.map((lane) => approveTicket(gw, lane.tickets[i].id)));
    }
    await eventually(async () => {
      const { rows } = await holder.query(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
      );
      expect(rows[0].waiting).toBe(RESELLERS);
    });

    await postgres.stop();
    let stoppedAt = Date.now();
    try {
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

    await eventually(
      async () => {
        for (const lane of lanes) {
          const views = await Promise.all(
            lane.tickets.map(async (ticket) => (await gw.agent.get<TicketView>(`/tickets/${ticket.id}`)).body.status),
          );
          expect({ reseller: lane.reseller.id, views }).toEqual({
            reseller: lane.reseller.id,
            views: lane.tickets.map(() => 'resolved'),
          });
          // Off, on, off: the last approval is what holds, in every service's copy.
          expect((await lane.admin.client.get('/auth/me')).body.twoFactor.availableForReseller).toBe(false);
        }
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const tookEffectMs = Date.now() - back;
    const depths = await queueDepths(stack.vhost);
    for (const service of SERVICES)
      expect({ service, dead: depths.get(`${service}.events.dead`)?.messages }).toEqual({ service, dead: 0 });
    const settings = await api(stack.managementUrls('reseller-settings')[0]).get('/metrics');
    expect(settings.body).toMatch(
      /pbx2fa_events_consumed_total\{event="ticket.two_factor.approved",result="waiting_for_database"\} [1-9]/,
    );
    expect(
      takeServerErrors().filter((line) => !/"error":"(database_unavailable|service_unavailable)"/.test(line)),
    ).toEqual([]);
    console.log(
      `database outage of ${Math.round(stoppedAt / 1000)} s with ${RESELLERS * APPROVALS_PER_RESELLER} approvals of ${RESELLERS} resellers waiting in the consumer: ` +
        `all took effect ${tookEffectMs} ms after the database returned; nothing dead-lettered`,
    );
  }

  it('waits out a 15-second outage', async () => {
    await outage(15);
  }, 180_000);

  it('waits out a 60-second outage', async () => {
    await outage(60);
  }, 240_000);
});
