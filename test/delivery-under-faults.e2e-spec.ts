import { randomUUID } from 'node:crypto';
import { connect, eventually, type Gateway, type SignedInUser } from './support/api';
import { expectOnlyOutageErrorsAndEveryServiceRunning, queueDepths, startBroker, stopBroker } from './support/broker';
import {
  approveBurst,
  effectsObserved,
  expectBurstApplied,
  openLane,
  settled,
  snapshot,
  type BurstLane,
  type BurstResult,
} from './support/burst';
import { startStack, type ServiceName, type Stack } from './support/stack';
import { query } from './support/wire';

/**
 * An approval answered 200 is never lost and takes effect exactly once, in order, whatever the
 * broker or a service does meanwhile (CONTRACT, Events: guarantees). Each burst approves at least
 * 40 tickets, enable and disable alternating, over 4 resellers side by side (each reseller's
 * tickets one after the other, so the last one approved decides its final setting), and injects
 * one fault while the burst runs.
 */
const LANES = 4;
const TICKETS_PER_LANE = 10;
const BROKER_OUTAGE_MS = 3000;

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Approvals whose change was still on its way (ticket approved, not resolved; an outbox row unsent). */
async function inFlight(databaseUrl: string): Promise<{ approvedNotResolved: number; unsentEvents: number }> {
  const [row] = await query<{ approved: string; unsent: string }>(
    databaseUrl,
    `SELECT (SELECT count(*) FROM tickets.tickets WHERE status = 'approved') AS approved,
            (SELECT count(*) FROM tickets.outbox WHERE published_at IS NULL)
          + (SELECT count(*) FROM reseller_settings.outbox WHERE published_at IS NULL)
          + (SELECT count(*) FROM auth.outbox WHERE published_at IS NULL) AS unsent`,
  );
  return { approvedNotResolved: Number(row.approved), unsentEvents: Number(row.unsent) };
}

describe('delivery under faults', () => {
  let stack: Stack;
  let gw: Gateway;
  let users: SignedInUser[];
  /** A reseller outside every burst, for checking that the gateway reaches reseller-settings. */
  let probe: string;

  beforeAll(async () => {
    stack = await startStack();
    gw = await connect(stack);
    probe = (await gw.factory.reseller()).id;
    users = await Promise.all(
      Array.from({ length: LANES }, async () =>
        gw.factory.signedInUser({ resellerId: (await gw.factory.reseller()).id, role: 'reseller_admin' }),
      ),
    );
  });

  afterAll(async () => {
    // The broker first: deleting the stack's vhost needs it, and no failure may leave it stopped.
    await startBroker();
    await stack?.stop();
  });

  afterEach(() => expectOnlyOutageErrorsAndEveryServiceRunning(stack));

  async function lanes(perLane: number): Promise<BurstLane[]> {
    return Promise.all(
      users.map(async (user) => openLane(user, (await gw.agent.get(`/resellers/${user.resellerId}`)).body, perLane)),
    );
  }

  interface Fault {
    label: string;
    /** Runs before the burst starts. */
    prepare?: () => Promise<void>;
    /** Start the fault once this many approvals have settled. */
    after: number;
    /** Tickets per reseller; TICKETS_PER_LANE by default. */
    perLane?: number;
    paceMs: number;
    /** Injects the fault and ends it; resolves with the moment it ended (ms since epoch). */
    run: () => Promise<number>;
    /** The slowest a 503 may be. */
    max503Ms: number;
  }

  /** Runs a burst with the fault injected; checks every guarantee and reports the figures. */
  async function burstWith(fault: Fault): Promise<void> {
    const perLane = fault.perLane ?? TICKETS_PER_LANE;
    const burstLanes = await lanes(perLane);
    const before = await snapshot(gw.agent, burstLanes);
    await fault.prepare?.();
    let faultDone: Promise<number> | null = null;
    const startedAt = Date.now();
    const result: BurstResult = await approveBurst(burstLanes, [gw.agent], {
      paceMs: fault.paceMs,
      onApproved: (count) => {
        if (count === fault.after) faultDone = fault.run();
      },
    });
    const burstEndedAt = Date.now();
    const burstMs = burstEndedAt - startedAt;
    expect(faultDone).not.toBeNull();
    const endedAt = await faultDone!;
    const allEffectsAt = await effectsObserved(stack.databaseUrl, burstLanes, before, result.outcomes);
    // The gateway's own connections come back on their own (they retry every second).
    const gatewayBackAt = await eventually(
      async () => {
        expect((await gw.agent.get('/tickets', { query: { limit: 1 } })).status).toBe(200);
        expect((await gw.agent.get(`/resellers/${probe}`)).status).toBe(200);
        return Date.now();
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    await settled(stack.databaseUrl, stack.vhost);
    const effects = await expectBurstApplied(gw, stack, burstLanes, before, result.outcomes);
    const approvedAfter = [...result.settledAt.values()].filter((at) => at >= endedAt);
    // A 503 never hangs: see each fault's bound.
    expect(result.slowest503Ms).toBeLessThan(fault.max503Ms);

    const approvals = burstLanes.length * perLane;
    expect(result.outcomes.size).toBe(approvals);
    expect(effects).toEqual({ versionsMoved: approvals, ticketsResolved: approvals, resolvedTwice: 0 });
    console.log(
      [
        `${fault.label}:`,
        `  approvals: ${approvals} (${LANES} resellers × ${perLane}), burst took ${burstMs} ms`,
        `  answered 200: ${result.answered200}; answered 503: ${result.answered503} (each retried; slowest 503 took ${result.slowest503Ms} ms);` +
          ` 503s that had taken effect after all (the retry found the ticket approved): ${result.tookEffectAfter503}` +
          ` (${result.decidedAfter503Answer} of them decided after the 503 was answered)`,
        `  effects: versions moved by ${effects.versionsMoved}, tickets resolved ${effects.ticketsResolved}` +
          ` (one 'resolved' history entry each), final settings as last approved, gateway copies agree, dead letters 0`,
        `  time to recover: ${approvedAfter.length ? `first approval answered 200 ${Math.min(...approvedAfter) - endedAt} ms after the fault ended; ` : ''}` +
          `every effect observed ${allEffectsAt - Math.max(endedAt, burstEndedAt)} ms after the fault ended and the last approval was answered;` +
          ` the gateway answered every kind of request again ${Math.max(0, gatewayBackAt - Math.max(endedAt, burstEndedAt))} ms after that`,
      ].join('\n'),
    );
  }

  it('loses nothing when the broker stops in the middle of a burst', async () => {
    await burstWith({
      label: 'broker stopped mid-burst (rabbitmqctl stop_app; start_app 3 s later)',
      after: 4,
      paceMs: 0,
      // The gateway hears at once that its connection dropped: calls waiting for an answer fail
      // then, not at the end of their timeout.
      max503Ms: 5000,
      run: async () => {
        let stoppedAt = 0;
        let backAt = 0;
        try {
          await stopBroker();
          stoppedAt = Date.now();
          console.log(`when the broker went away: ${JSON.stringify(await inFlight(stack.databaseUrl))}`);
          await pause(BROKER_OUTAGE_MS);
        } finally {
          backAt = await startBroker();
        }
        console.log(`broker was down for ${backAt - stoppedAt} ms`);
        return backAt;
      },
    });
  });

  it('keeps a backlog of approved changes across a broker restart that hits while it is being applied', async () => {
    await burstWith({
      label: 'broker stopped while reseller-settings works through a backlog (stop_app; start_app 2 s later)',
      // The burst approves while reseller-settings is stopped: its events wait in reseller-settings.events.
      prepare: () => stack.stopService('reseller-settings'),
      // Long enough to take a couple of seconds to apply, so the broker stops in the middle of it.
      perLane: 25,
      after: LANES * 25,
      paceMs: 0,
      max503Ms: 5000,
      run: async () => {
        const queued = (await queueDepths(stack.vhost)).get('reseller-settings.events')?.messages;
        await stack.start('reseller-settings');
        await eventually(
          async () => {
            const [{ applied }] = await query<{ applied: string }>(
              stack.databaseUrl,
              "SELECT count(*) AS applied FROM reseller_settings.outbox WHERE event_name = 'reseller.two_factor.changed' AND created_at > now() - interval '1 minute'",
            );
            expect(Number(applied)).toBeGreaterThanOrEqual(3);
          },
          { intervalMs: 10 },
        );
        let stoppedAt = 0;
        let backAt = 0;
        try {
          await stopBroker();
          stoppedAt = Date.now();
          console.log(
            `${queued} approvals were queued; when the broker went away: ${JSON.stringify(await inFlight(stack.databaseUrl))}`,
          );
          await pause(2000);
        } finally {
          backAt = await startBroker();
        }
        console.log(`broker was down for ${backAt - stoppedAt} ms`);
        return backAt;
      },
    });
  });

  it('holds an event committed just before the broker went away, retries, and sends it once the broker is back', async () => {
    // What a commit an instant before the outage leaves behind, made certain: reseller-settings'
    // own change and the outbox row announcing it, written in one transaction while the broker is away.
    const user = users[0];
    const gatewayCopy = async () =>
      (
        await query<{ version: number }>(
          stack.databaseUrl,
          'SELECT version FROM auth.reseller_policies WHERE reseller_id = $1',
          [user.resellerId],
        )
      )[0];
    const copyBefore = await gatewayCopy();
    const eventId = randomUUID();
    let backAt = 0;
    let row: { attempts: number; last_error: string | null; published_at: Date | null } | undefined;
    let version = 0;
    try {
      await stopBroker();
      [{ version }] = await query<{ version: number }>(
        stack.databaseUrl,
        `WITH changed AS (
           UPDATE reseller_settings.resellers SET two_factor_enabled = NOT two_factor_enabled, version = version + 1, updated_at = now()
            WHERE id = $1 RETURNING id, two_factor_enabled, version)
         INSERT INTO reseller_settings.outbox (event_id, event_name, envelope)
         SELECT $2::uuid, 'reseller.two_factor.changed',
                jsonb_build_object('eventId', $2::text, 'name', 'reseller.two_factor.changed', 'occurredAt', now(), 'correlationId', 'e2e-outage',
                  'payload', jsonb_build_object('resellerId', id, 'enabled', two_factor_enabled, 'version', version, 'sourceTicketId', null))
           FROM changed
         RETURNING (envelope->'payload'->>'version')::int AS version`,
        [user.resellerId, eventId],
      );
      // reseller-settings' relay is told nothing: it finds the row on its own (timer), fails, and backs off.
      await eventually(
        async () => {
          [row] = await query(
            stack.databaseUrl,
            'SELECT attempts, last_error, published_at FROM reseller_settings.outbox WHERE event_id = $1',
            [eventId],
          );
          expect(row?.attempts).toBeGreaterThanOrEqual(1);
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      // Not marked sent without the broker's confirm.
      expect(row).toMatchObject({ published_at: null, last_error: expect.any(String) });
    } finally {
      backAt = await startBroker();
    }
    const sentAt = await eventually(
      async () => {
        expect((await gatewayCopy()).version).toBe(version);
        return Date.now();
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(copyBefore.version).toBe(version - 1);
    await settled(stack.databaseUrl, stack.vhost);
    console.log(
      `outbox relay: an event committed while the broker was away was tried ${row?.attempts} time(s) and kept (last error: ${row?.last_error});` +
        ` it reached the gateway ${sentAt - backAt} ms after the broker returned`,
    );
  });

  const killAndStart = (service: ServiceName): Fault => ({
    label: `${service} SIGKILLed mid-burst and started again`,
    after: 8,
    paceMs: 0,
    // A request handed to the process that was killed is lost with it: the gateway waits out its
    // RPC timeout (4.5 s by default) and answers 503 just after it, within the contract's 5 s.
    max503Ms: 5000,
    run: async () => {
      await stack.kill(service, 0, 'SIGKILL');
      const killedAt = Date.now();
      await stack.start(service);
      console.log(`${service} was down for ${Date.now() - killedAt} ms (SIGKILL, then started again)`);
      return Date.now();
    },
  });

  it('loses nothing when reseller-settings is killed (SIGKILL) mid-burst and started again', async () => {
    await burstWith(killAndStart('reseller-settings'));
  });

  it('loses nothing when tickets is killed (SIGKILL) mid-burst and started again', async () => {
    await burstWith(killAndStart('tickets'));
  });
});
