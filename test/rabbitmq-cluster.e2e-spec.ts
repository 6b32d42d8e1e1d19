import { join } from 'node:path';
import {
  ApiClient,
  connect,
  eventually,
  type ApiResponse,
  type Gateway,
  type Json,
  type RequestOptions,
  type SignedInUser,
} from './support/api';
import { expectOnlyOutageErrorsAndEveryServiceRunning } from './support/broker';
import {
  approveBurst,
  effectsObserved,
  expectBurstApplied,
  openLane,
  settled,
  snapshot,
  type BurstLane,
} from './support/burst';
import { CLUSTER_NODES, startCluster, type ClusterNode, type RabbitCluster } from './support/rabbitmq-cluster';
import { startStack, type Stack } from './support/stack';
import { openTicket } from './support/two-factor';

/**
 * The services on a real 3-node RabbitMQ cluster with quorum queues (README, Scaling), given every
 * node's URL. During a burst of approvals the node that leads the event queues is killed (kill -9)
 * and started again, then the node the services are connected to: every approval still takes
 * effect exactly once, in approval order, and every ticket ends `resolved` (CONTRACT, Events:
 * "not when a RabbitMQ cluster node dies").
 */
const LANES = 6;
const TICKETS_PER_LANE = 20;
const APPROVALS = LANES * TICKETS_PER_LANE;
/** The first node is killed once this many approvals have settled. */
const FIRST_KILL_AFTER = 20;
/**
 * Approvals past this many wait until the second node has been killed, so both kills land inside
 * the burst whatever the speed of this machine (a node takes 4-15 s to boot again).
 */
const HOLD_AFTER = 90;
/** Between one reseller's approvals: about 7 a second in all, so the burst outlasts both kills. */
const PACE_MS = 800;
const EVENT_QUEUES = ['auth.events', 'tickets.events', 'reseller-settings.events'];

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** An agent whose approvals wait while `hold()` says so. */
class HeldAgent extends ApiClient {
  constructor(
    agent: ApiClient,
    private readonly hold: () => Promise<void>,
  ) {
    super(agent.baseUrl, agent.token);
  }

  override async post<T = Json>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>> {
    if (path.endsWith('/approve')) await this.hold();
    return super.post<T>(path, body, options);
  }
}

interface KillFigures {
  node: ClusterNode;
  why: string;
  at: number;
  approvalsSettledBefore: number;
  /** ms until another node led reseller-settings.events (0 when the killed node did not lead it). */
  newLeaderAfterMs: number;
  restartMs: number;
}

describe('a RabbitMQ cluster with quorum queues', () => {
  let cluster: RabbitCluster | undefined;
  let stack: Stack;
  let gw: Gateway;
  let users: SignedInUser[];

  beforeAll(async () => {
    cluster = await startCluster();
    stack = await startStack({ broker: cluster.broker, env: { RABBITMQ_QUEUE_TYPE: 'quorum' } });
    gw = await connect(stack);
    users = await Promise.all(
      Array.from({ length: LANES }, async () =>
        gw.factory.signedInUser({ resellerId: (await gw.factory.reseller()).id, role: 'reseller_admin' }),
      ),
    );
  }, 240_000);

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      if (cluster) {
        cluster.saveLogs(
          join(stack?.logDir ?? join(__dirname, '..', 'test-artifacts', 'logs', 'rabbitmq-cluster'), 'rabbitmq'),
        );
        await cluster.down();
      }
    }
  }, 120_000);

  afterEach(() => expectOnlyOutageErrorsAndEveryServiceRunning(stack));

  it('gives the services every node: the event queues are quorum queues with a member on each node', async () => {
    expect(stack.rabbitmqUrls).toHaveLength(3);
    const out = await cluster!.broker.ctl(
      'list_queues',
      '-p',
      stack.vhost,
      'name',
      'type',
      'members',
      '--quiet',
      '--no-table-headers',
    );
    for (const queue of EVENT_QUEUES) {
      const line = out.split('\n').find((candidate) => candidate.startsWith(`${queue}\t`)) ?? '';
      expect({
        queue,
        type: line.split('\t')[1],
        members: CLUSTER_NODES.filter((node) => line.includes(cluster!.nodeName(node))),
      }).toEqual({
        queue,
        type: 'quorum',
        members: [...CLUSTER_NODES],
      });
    }
  });

  it('applies every approval exactly once while the leading node, then the node the services use, is killed (kill -9) and restarted', async () => {
    const rabbit = cluster!;
    const lanes: BurstLane[] = await Promise.all(
      users.map(async (user) =>
        openLane(user, (await gw.agent.get(`/resellers/${user.resellerId}`)).body, TICKETS_PER_LANE),
      ),
    );
    const before = await snapshot(gw.agent, lanes);
    const leadersBefore = await rabbit.leaders(stack.vhost);

    let approvalsSettled = 0;
    let secondKillDone!: () => void;
    const secondKill = new Promise<void>((done) => (secondKillDone = done));
    let heldSince: number | null = null;
    const hold = () => {
      if (approvalsSettled < HOLD_AFTER) return Promise.resolve();
      heldSince ??= Date.now();
      return secondKill;
    };

    /** Kills a node, waits for a new leader, lets the cluster run on two nodes a moment, starts it again. */
    const killAndRestart = async (
      node: ClusterNode,
      why: string,
      ledBefore: ClusterNode | undefined,
      onKilled = () => {},
    ): Promise<KillFigures> => {
      await rabbit.kill9(node);
      const at = Date.now();
      const approvalsSettledBefore = approvalsSettled;
      onKilled();
      let newLeaderAfterMs = 0;
      if (ledBefore === node) {
        await eventually(
          async () => {
            const leader = (await rabbit.leaders(stack.vhost)).get('reseller-settings.events');
            expect(leader && leader !== node).toBe(true);
          },
          { timeoutMs: 30_000, intervalMs: 100 },
        );
        newLeaderAfterMs = Date.now() - at;
      }
      await pause(2000);
      const restartMs = await rabbit.start(node);
      return { node, why, at, approvalsSettledBefore, newLeaderAfterMs, restartMs };
    };

    // Looked up before the burst, so the kill comes at once when its moment is there.
    const leader = leadersBefore.get('reseller-settings.events');
    if (!leader) throw new Error(`no leader found for reseller-settings.events: ${JSON.stringify([...leadersBefore])}`);
    const faults = async (): Promise<KillFigures[]> => {
      try {
        const first = await killAndRestart(leader, 'led the event queues', leader);
        await pause(1000);
        const connections = await rabbit.connectionsByNode(stack.vhost);
        const [busiest, count] = [...connections.entries()].sort((x, y) => y[1] - x[1])[0];
        const total = [...connections.values()].reduce((sum, n) => sum + n, 0);
        const leaders = await rabbit.leaders(stack.vhost);
        const leads = EVENT_QUEUES.filter((queue) => leaders.get(queue) === busiest);
        const second = await killAndRestart(
          busiest,
          `held ${count} of the services' ${total} connections${leads.length ? `, and led ${leads.join(', ')}` : ''}`,
          leaders.get('reseller-settings.events'),
          secondKillDone,
        );
        return [first, second];
      } finally {
        secondKillDone();
      }
    };

    let faultsDone: Promise<KillFigures[]> | null = null;
    const agent = new HeldAgent(gw.agent, hold);
    const startedAt = Date.now();
    const result = await approveBurst(lanes, [agent], {
      paceMs: PACE_MS,
      // Two minutes: an approval may wait for the second kill and a node's restart.
      giveUpAfterMs: 120_000,
      onApproved: (count) => {
        approvalsSettled = count;
        if (count === FIRST_KILL_AFTER) faultsDone = faults();
      },
    });
    const burstEndedAt = Date.now();
    expect(faultsDone).not.toBeNull();
    const kills = await faultsDone!;
    const allEffectsAt = await effectsObserved(stack.databaseUrl, lanes, before, result.outcomes, 60_000);
    await settled(stack.databaseUrl, stack.vhost, 30_000, stack.broker);
    const effects = await expectBurstApplied(gw, stack, lanes, before, result.outcomes);

    // Both kills landed inside the burst, with approvals still to come.
    for (const kill of kills) expect(kill.approvalsSettledBefore).toBeLessThan(APPROVALS);
    expect(result.outcomes.size).toBe(APPROVALS);
    expect(effects).toEqual({ versionsMoved: APPROVALS, ticketsResolved: APPROVALS, resolvedTwice: 0 });
    // Both nodes came back into the cluster: every event queue has all three members online again.
    await eventually(
      async () => {
        const out = await rabbit.broker.ctl(
          'list_queues',
          '-p',
          stack.vhost,
          'name',
          'online',
          '--quiet',
          '--no-table-headers',
        );
        for (const queue of EVENT_QUEUES) {
          const line = out.split('\n').find((candidate) => candidate.startsWith(`${queue}\t`)) ?? '';
          expect({
            queue,
            online: CLUSTER_NODES.filter((node) => line.includes(rabbit.nodeName(node))).length,
          }).toEqual({ queue, online: 3 });
        }
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    const leaderList = EVENT_QUEUES.map((queue) => `${queue} on ${leadersBefore.get(queue)}`).join(', ');
    const [first, second] = kills;
    console.log(
      [
        'RabbitMQ cluster (3 nodes, quorum queues), kill -9 mid-burst:',
        `  cluster up in ${rabbit.upMs} ms; leaders before: ${leaderList}`,
        ...kills.map(
          (kill, index) =>
            `  kill ${index + 1}: rabbit-${kill.node} (it ${kill.why}) after ${kill.approvalsSettledBefore} approvals;` +
            (kill.newLeaderAfterMs ? ` new leader of reseller-settings.events in ${kill.newLeaderAfterMs} ms;` : '') +
            ` restarted ${2000 + kill.restartMs} ms after the kill (boot ${kill.restartMs} ms)`,
        ),
        `  approvals: ${APPROVALS} (${LANES} resellers × ${TICKETS_PER_LANE}), burst took ${burstEndedAt - startedAt} ms` +
          (heldSince !== null && heldSince < second.at
            ? ` (approvals past ${HOLD_AFTER} waited ${second.at - heldSince} ms for kill 2)`
            : '') +
          ';' +
          ` answered 200: ${result.answered200}; answered 503: ${result.answered503} (each retried, slowest ${result.slowest503Ms} ms);` +
          ` 503s that had taken effect after all: ${result.tookEffectAfter503}`,
        `  every approval took effect ${allEffectsAt - first.at} ms after the first kill, ${allEffectsAt - second.at} ms after the second,` +
          ` ${allEffectsAt - burstEndedAt} ms after the last approval was answered;` +
          ` versions moved ${effects.versionsMoved}, tickets resolved ${effects.ticketsResolved} (once each), dead letters 0`,
      ].join('\n'),
    );
    console.log(
      `RESULT rabbitmq-cluster approvals=${APPROVALS} kills=${kills.map((kill) => `rabbit-${kill.node}@${kill.approvalsSettledBefore}`).join(',')}` +
        ` answered503=${result.answered503} effectAfterFirstKillMs=${allEffectsAt - first.at} effectAfterSecondKillMs=${allEffectsAt - second.at}` +
        ` effectAfterLastApprovalMs=${allEffectsAt - burstEndedAt} newLeaderMs=${kills.map((kill) => kill.newLeaderAfterMs).join(',')}`,
    );
  }, 300_000);

  it('declares a request queue again when the node holding it dies while its server is connected to another node', async () => {
    const rabbit = cluster!;
    // The request queues are classic and not durable: each lives on the node it was declared through.
    const home = (await rabbit.queueNodes(stack.vhost)).get('tickets.rpc');
    if (!home) throw new Error('tickets.rpc was not found on the cluster');
    const user = await gw.factory.signedInUser({ resellerId: (await gw.factory.reseller()).id });
    const ticket = await openTicket(user.client, { type: 'enable_2fa', subject: 'after the request queue moved' });

    // Every service moves to another node; the queues they declared stay where they are.
    const closed = await rabbit.closeConnections(stack.vhost, home);
    expect(closed).toBeGreaterThan(0);
    await eventually(
      async () => {
        expect((await rabbit.connectionsByNode(stack.vhost)).get(home) ?? 0).toBe(0);
        expect((await gw.agent.get('/tickets', { query: { limit: 1 } })).status).toBe(200);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect((await rabbit.queueNodes(stack.vhost)).get('tickets.rpc')).toBe(home);

    await rabbit.kill9(home);
    const killedAt = Date.now();
    let restarted: Promise<number> | null = null;
    try {
      // The queue went with its node; tickets' request server hears its consumer was cancelled and
      // declares the queue again where it is connected. Until then the gateway answers 503.
      const approved = await eventually(
        async () => {
          const response = await gw.agent.post(`/tickets/${ticket.id}/approve`, { note: 'cluster' });
          // 409: an earlier call that answered 503 got through after all.
          if (response.status === 409)
            expect((await gw.agent.get(`/tickets/${ticket.id}`)).body.status).toMatch(/^(approved|resolved)$/);
          else expect(response.status).toBe(200);
          return Date.now();
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      restarted = rabbit.start(home);
      await eventually(async () => expect((await gw.agent.get(`/tickets/${ticket.id}`)).body.status).toBe('resolved'), {
        timeoutMs: 30_000,
      });
      console.log(
        `request queue: tickets.rpc lived on rabbit-${home}; ${closed} connections moved off it, then it was killed;` +
          ` approvals answered 200 again ${approved - killedAt} ms after the kill`,
      );
    } finally {
      await (restarted ?? rabbit.start(home));
    }
  }, 120_000);
});
