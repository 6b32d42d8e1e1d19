import type { TicketView } from '@pbx2fa/contracts';
import { eventually, type ApiClient, type Gateway, type ResellerView, type SignedInUser } from './api';
import { queueDepths } from './broker';
import type { Broker } from './infrastructure';
import { openTicket } from './two-factor';
import { query } from './wire';

/**
 * A burst of 2FA approvals, as agents make them while something breaks, and the proof that
 * every approval that took effect did so exactly once and in order.
 */

export interface BurstLane {
  reseller: ResellerView;
  /** A user of that reseller, whose /auth/me shows the gateway's copy of the policy. */
  user: SignedInUser;
  /** In the order the agent approves them; enable and disable alternate. */
  tickets: TicketView[];
}

export type Outcome =
  /** Answered 200. */
  | 'approved'
  /** Answered 503 at first, and a retry found it approved: the earlier call had taken effect. */
  | 'approved-after-503';

export interface BurstResult {
  outcomes: Map<string, Outcome>;
  /** Calls answered 200. */
  answered200: number;
  /** Calls answered 503 service_unavailable (each was retried). */
  answered503: number;
  /** Approvals that took effect although the call that caused them answered 503. */
  tookEffectAfter503: number;
  /** Of those, how many were decided only after the gateway had already answered 503. */
  decidedAfter503Answer: number;
  /** Longest a 503 took to come back, in ms. */
  slowest503Ms: number;
  /** When each approval settled (ms since epoch), by ticket id. */
  settledAt: Map<string, number>;
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Opens `count` tickets for the lane's reseller, enable first, then alternating; `user` is an admin of it (only admins may ask for 2FA off). */
export async function openLane(user: SignedInUser, reseller: ResellerView, count: number): Promise<BurstLane> {
  const tickets: TicketView[] = [];
  for (let i = 0; i < count; i++) {
    tickets.push(
      await openTicket(user.client, { type: i % 2 === 0 ? 'enable_2fa' : 'disable_2fa', subject: `burst ${i + 1}` }),
    );
  }
  return { reseller, user, tickets };
}

/**
 * Approves every ticket of every lane: lanes run side by side, each lane one ticket after the
 * other with `paceMs` between (so the burst lasts long enough to be hit), alternating over
 * `agents` (one client per gateway copy). A 503 is retried until the approval is settled;
 * `onApproved(n)` is told the running count of settled approvals, so a test can inject its fault
 * mid-burst.
 */
export async function approveBurst(
  lanes: BurstLane[],
  agents: ApiClient[],
  {
    paceMs = 0,
    onApproved = () => {},
    giveUpAfterMs = 60_000,
  }: { paceMs?: number; onApproved?: (settled: number) => void; giveUpAfterMs?: number } = {},
): Promise<BurstResult> {
  const result: BurstResult = {
    outcomes: new Map(),
    answered200: 0,
    answered503: 0,
    tookEffectAfter503: 0,
    decidedAfter503Answer: 0,
    slowest503Ms: 0,
    settledAt: new Map(),
  };
  let turn = 0;
  const settle = async (ticket: TicketView) => {
    let first503At: number | null = null;
    const giveUpAt = Date.now() + giveUpAfterMs;
    for (let attempt = 1; ; attempt++) {
      if (Date.now() > giveUpAt)
        throw new Error(`approving ${ticket.id}: still not settled after ${attempt - 1} calls in ${giveUpAfterMs} ms`);
      const agent = agents[turn++ % agents.length];
      const startedAt = Date.now();
      const response = await agent.post<TicketView>(`/tickets/${ticket.id}/approve`, { note: 'burst' });
      if (response.status === 200) {
        expect(response.body.status).toBe('approved');
        result.answered200 += 1;
        result.outcomes.set(ticket.id, 'approved');
        break;
      }
      if (response.status === 503) {
        expect((response.body as unknown as { error: string }).error).toBe('service_unavailable');
        result.answered503 += 1;
        result.slowest503Ms = Math.max(result.slowest503Ms, Date.now() - startedAt);
        first503At ??= Date.now();
        await pause(100);
        continue;
      }
      if (response.status === 409 && first503At !== null) {
        // A call that answered 503 got through after all; the ticket says what happened.
        const current = await agent.get<TicketView>(`/tickets/${ticket.id}`);
        if (current.status === 503) continue;
        expect(['approved', 'resolved']).toContain(current.body.status);
        result.tookEffectAfter503 += 1;
        if (Date.parse(current.body.decidedAt as string) > first503At) result.decidedAfter503Answer += 1;
        result.outcomes.set(ticket.id, 'approved-after-503');
        break;
      }
      throw new Error(`approving ${ticket.id} answered ${response.status} ${JSON.stringify(response.body)}`);
    }
    result.settledAt.set(ticket.id, Date.now());
    onApproved(result.outcomes.size);
  };
  await Promise.all(
    lanes.map(async (lane) => {
      for (const ticket of lane.tickets) {
        await settle(ticket);
        await pause(paceMs);
      }
    }),
  );
  return result;
}

export interface LaneState {
  reseller: ResellerView;
  /** Of the last approval that took effect, in the lane's order. */
  expectedEnabled: boolean;
  expectedVersion: number;
}

/** What each lane must end at: the version moved once per effective approval, the last one's setting. */
export function expectStates(
  lanes: BurstLane[],
  before: Map<string, ResellerView>,
  outcomes: Map<string, Outcome>,
): LaneState[] {
  return lanes.map((lane) => {
    const effective = lane.tickets.filter((ticket) => outcomes.has(ticket.id));
    const last = effective[effective.length - 1];
    const start = before.get(lane.reseller.id)!;
    return {
      reseller: lane.reseller,
      expectedEnabled: last ? last.type === 'enable_2fa' : start.twoFactorEnabled,
      expectedVersion: start.version + effective.length,
    };
  });
}

export async function resellerNow(agent: ApiClient, id: string): Promise<ResellerView> {
  const response = await agent.get<ResellerView>(`/resellers/${id}`);
  if (response.status !== 200)
    throw new Error(`GET /resellers/${id} answered ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/**
 * Waits until nothing is on its way any more: every outbox row published, every event queue
 * empty (ready and unacknowledged) on `broker` (the machine's own node unless told). Resolves with the time it took.
 */
export async function settled(
  databaseUrl: string,
  vhost: string,
  timeoutMs = 30_000,
  broker?: Broker,
): Promise<number> {
  const startedAt = Date.now();
  await eventually(
    async () => {
      const [{ pending }] = await query<{ pending: string }>(
        databaseUrl,
        `SELECT (SELECT count(*) FROM auth.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM tickets.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM reseller_settings.outbox WHERE published_at IS NULL) AS pending`,
      );
      expect(Number(pending)).toBe(0);
      const depths = await queueDepths(vhost, broker);
      const busy = [...depths.values()].filter((queue) => /\.events$/.test(queue.name) && queue.messages > 0);
      expect(busy).toEqual([]);
    },
    { timeoutMs, intervalMs: 250 },
  );
  return Date.now() - startedAt;
}

/**
 * Polls the services' own tables until every approval that took effect shows its effects: each
 * such ticket resolved, and each reseller at its expected version in reseller-settings and in the
 * gateway's copy. Resolves with the moment it saw that (ms since epoch).
 */
export async function effectsObserved(
  databaseUrl: string,
  lanes: BurstLane[],
  before: Map<string, ResellerView>,
  outcomes: Map<string, Outcome>,
  timeoutMs = 30_000,
): Promise<number> {
  const effective = lanes.flatMap((lane) =>
    lane.tickets.filter((ticket) => outcomes.has(ticket.id)).map((ticket) => ticket.id),
  );
  const expected = expectStates(lanes, before, outcomes)
    .map((state) => `${state.reseller.id}:${state.expectedVersion}`)
    .sort();
  await eventually(
    async () => {
      const [row] = await query<{ resolved: string; settings: string[]; copies: string[] }>(
        databaseUrl,
        `SELECT (SELECT count(*) FROM tickets.tickets WHERE id = ANY($1::uuid[]) AND status = 'resolved') AS resolved,
                ARRAY(SELECT id || ':' || version FROM reseller_settings.resellers WHERE id = ANY($2) ORDER BY 1) AS settings,
                ARRAY(SELECT reseller_id || ':' || version FROM auth.reseller_policies WHERE reseller_id = ANY($2) ORDER BY 1) AS copies`,
        [effective, lanes.map((lane) => lane.reseller.id)],
      );
      expect({ resolved: Number(row.resolved), settings: row.settings, copies: row.copies }).toEqual({
        resolved: effective.length,
        settings: expected,
        copies: expected,
      });
    },
    { timeoutMs, intervalMs: 50 },
  );
  return Date.now();
}

export interface Effects {
  versionsMoved: number;
  ticketsResolved: number;
  /** Tickets with other than exactly one `resolved` history entry. */
  resolvedTwice: number;
}

/**
 * Checks every guarantee of the burst once everything has settled: each approval that took effect
 * did so exactly once (version, one `resolved` history entry), in order (the last one's setting),
 * the gateway's copy agrees, and nothing is left half done (no ticket stuck `approved`, none of the
 * tickets that never took effect touched, no dead letters).
 */
export async function expectBurstApplied(
  gw: Gateway,
  stack: { databaseUrl: string; vhost: string; broker?: Broker },
  lanes: BurstLane[],
  before: Map<string, ResellerView>,
  outcomes: Map<string, Outcome>,
): Promise<Effects> {
  const effects: Effects = { versionsMoved: 0, ticketsResolved: 0, resolvedTwice: 0 };
  const expectations = expectStates(lanes, before, outcomes);
  // The gateway's copy first, before anything reads a reseller through the gateway (which
  // refreshes the copy): it must have got there through events alone.
  for (const [index, lane] of lanes.entries()) {
    const expected = expectations[index];
    const me = await lane.user.client.get('/auth/me');
    expect({ reseller: lane.reseller.id, availableForReseller: me.body?.twoFactor?.availableForReseller }).toEqual({
      reseller: lane.reseller.id,
      availableForReseller: expected.expectedEnabled,
    });
    const [copy] = await query<{ version: number; two_factor_enabled: boolean }>(
      stack.databaseUrl,
      'SELECT version, two_factor_enabled FROM auth.reseller_policies WHERE reseller_id = $1',
      [lane.reseller.id],
    );
    expect({ reseller: lane.reseller.id, ...copy }).toEqual({
      reseller: lane.reseller.id,
      version: expected.expectedVersion,
      two_factor_enabled: expected.expectedEnabled,
    });
  }
  for (const expected of expectations) {
    const now = await resellerNow(gw.agent, expected.reseller.id);
    expect({ id: now.id, version: now.version, twoFactorEnabled: now.twoFactorEnabled }).toEqual({
      id: expected.reseller.id,
      version: expected.expectedVersion,
      twoFactorEnabled: expected.expectedEnabled,
    });
    effects.versionsMoved += now.version - before.get(now.id)!.version;
  }
  for (const lane of lanes) {
    for (const ticket of lane.tickets) {
      const response = await gw.agent.get<TicketView>(`/tickets/${ticket.id}`);
      expect(response.status).toBe(200);
      const resolvedEntries = response.body.history.filter((entry) => entry.toStatus === 'resolved').length;
      if (outcomes.has(ticket.id)) {
        expect({ id: ticket.id, status: response.body.status, resolvedEntries }).toEqual({
          id: ticket.id,
          status: 'resolved',
          resolvedEntries: 1,
        });
        effects.ticketsResolved += 1;
      } else {
        expect({ id: ticket.id, status: response.body.status }).toEqual({ id: ticket.id, status: 'open' });
      }
      if (resolvedEntries > 1) effects.resolvedTwice += 1;
    }
  }
  // In approval order: reseller-settings announced each lane's versions for its tickets in the order they were approved.
  const announced = await query<{ reseller: string; ticket: string }>(
    stack.databaseUrl,
    `SELECT envelope->'payload'->>'resellerId' AS reseller, envelope->'payload'->>'sourceTicketId' AS ticket
       FROM reseller_settings.outbox
      WHERE event_name = 'reseller.two_factor.changed' AND envelope->'payload'->>'resellerId' = ANY($1)
      ORDER BY (envelope->'payload'->>'version')::int`,
    [lanes.map((lane) => lane.reseller.id)],
  );
  for (const lane of lanes) {
    const applied = announced.filter((row) => row.reseller === lane.reseller.id).map((row) => row.ticket);
    const approved = lane.tickets.filter((ticket) => outcomes.has(ticket.id)).map((ticket) => ticket.id);
    expect({ reseller: lane.reseller.id, applied: applied.slice(-approved.length) }).toEqual({
      reseller: lane.reseller.id,
      applied: approved,
    });
  }
  const dead = [...(await queueDepths(stack.vhost, stack.broker)).values()].filter(
    (queue) => queue.name.endsWith('.dead') && queue.messages > 0,
  );
  expect(dead).toEqual([]);
  return effects;
}

/** `before`: each lane's reseller as it stands now. */
export async function snapshot(agent: ApiClient, lanes: BurstLane[]): Promise<Map<string, ResellerView>> {
  const entries = await Promise.all(
    lanes.map(async (lane) => [lane.reseller.id, await resellerNow(agent, lane.reseller.id)] as const),
  );
  return new Map(entries);
}
