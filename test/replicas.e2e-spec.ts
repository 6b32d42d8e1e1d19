import { api, expectError, type ApiClient, type Gateway, type SignedInUser } from './support/api';
import { queueDepths } from './support/broker';
import { approveBurst, expectBurstApplied, openLane, settled, snapshot, type BurstLane } from './support/burst';
import { type Stack } from './support/stack';
import { currentPasscode, wrongPasscode } from './support/totp';
import { challengeFor, enroll, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';
import { useStack } from './support/e2e';

const LANES = 4;
const TICKETS_PER_LANE = 10;
/**
 * A backlog of one reseller's approvals, long enough that two consumers taking from it side by
 * side would overtake each other, each message of it next to one for the same reseller.
 */
const BACKLOG_LANES = 1;
const BACKLOG_PER_LANE = 60;

/**
 * Two copies of every service against one broker and one database: every event is handled exactly
 * once and in order, and the single-use passcode and the guessing lock hold across both gateways.
 */
describe('two replicas of each service', () => {
  let stack: Stack;
  let gw: Gateway;
  /** The agent, signed in once, on each gateway copy. */
  let agents: ApiClient[];
  let anons: ApiClient[];

  useStack((started) => ({ stack, gw } = started), { replicas: { auth: 2, tickets: 2, 'reseller-settings': 2 } });

  beforeAll(() => {
    agents = stack.urls('auth').map((url) => api(url).as(gw.agentToken));
    anons = stack.urls('auth').map((url) => api(url));
  });

  it('runs two copies of each service on their own ports, each consuming from the shared queues', async () => {
    for (const service of ['auth', 'tickets', 'reseller-settings'] as const) {
      expect(new Set(stack.urls(service)).size).toBe(2);
      for (const url of stack.urls(service)) expect((await fetch(`${url}/health`)).status).toBe(200);
    }
    const depths = await queueDepths(stack.vhost);
    for (const queue of [
      'auth.events',
      'tickets.events',
      'reseller-settings.events',
      'tickets.rpc',
      'reseller-settings.rpc',
    ]) {
      expect({ queue, consumers: depths.get(queue)?.consumers }).toEqual({ queue, consumers: 2 });
    }
  });

  async function burstLanes(lanes = LANES, perLane = TICKETS_PER_LANE): Promise<BurstLane[]> {
    const users: SignedInUser[] = await Promise.all(
      Array.from({ length: lanes }, async () =>
        gw.factory.signedInUser({ resellerId: (await gw.factory.reseller()).id, role: 'reseller_admin' }),
      ),
    );
    return Promise.all(
      users.map(async (user) => openLane(user, (await gw.agent.get(`/resellers/${user.resellerId}`)).body, perLane)),
    );
  }

  it('handles a burst of approvals spread over both gateways exactly once, and in order', async () => {
    const lanes = await burstLanes();
    const before = await snapshot(gw.agent, lanes);
    const startedAt = Date.now();
    const result = await approveBurst(lanes, agents);
    const burstMs = Date.now() - startedAt;
    const settleMs = await settled(stack.databaseUrl, stack.vhost);
    const effects = await expectBurstApplied(gw, stack, lanes, before, result.outcomes);
    const approvals = LANES * TICKETS_PER_LANE;
    expect(result.answered200).toBe(approvals);
    expect(effects).toEqual({ versionsMoved: approvals, ticketsResolved: approvals, resolvedTwice: 0 });
    console.log(
      `replicas: ${approvals} approvals (${LANES} resellers × ${TICKETS_PER_LANE}) alternating over 2 gateways in ${burstMs} ms, ` +
        `all effects ${settleMs} ms later; versions moved by ${effects.versionsMoved}, ${effects.ticketsResolved} tickets resolved once each, ` +
        'final settings as last approved, gateway copies agree',
    );
  });

  it('applies a backlog in approval order when both copies of its consumer start at once', async () => {
    const lanes = await burstLanes(BACKLOG_LANES, BACKLOG_PER_LANE);
    const before = await snapshot(gw.agent, lanes);
    await stack.stopService('reseller-settings');
    const result = await approveBurst(lanes, agents);
    const queued = (await queueDepths(stack.vhost)).get('reseller-settings.events')?.messages;
    const startedAt = Date.now();
    await stack.start('reseller-settings');
    const settleMs = await settled(stack.databaseUrl, stack.vhost);
    const effects = await expectBurstApplied(gw, stack, lanes, before, result.outcomes);
    const approvals = BACKLOG_LANES * BACKLOG_PER_LANE;
    expect(effects).toEqual({ versionsMoved: approvals, ticketsResolved: approvals, resolvedTwice: 0 });
    console.log(
      `replicas: a backlog of ${queued} approvals applied in order by 2 copies of reseller-settings started together,` +
        ` every effect ${Date.now() - startedAt} ms after they started (${settleMs} ms after they were healthy)`,
    );
  });

  describe('the second factor across both gateways', () => {
    let resellerId: string;
    let ann: EnrolledUser;
    let bob: EnrolledUser;

    beforeAll(async () => {
      resellerId = (await gw.factory.reseller()).id;
      const admin = await gw.factory.signedInUser({ resellerId, role: 'reseller_admin' });
      await switchResellerTwoFactor(gw, admin, true);
      [ann, bob] = await Promise.all([0, 1].map(async () => enroll(await gw.factory.signedInUser({ resellerId }))));
    });

    it('accepts a passcode on one gateway and refuses it on the other afterwards', async () => {
      const passcode = await ann.authenticator.freshPasscode();
      const first = await anons[0].post('/auth/login/verify', {
        challengeToken: await challengeFor(anons[0], ann),
        passcode,
      });
      expect(first.status).toBe(200);
      const replay = await anons[1].post('/auth/login/verify', {
        challengeToken: await challengeFor(anons[1], ann),
        passcode,
      });
      expectError(replay, 401, 'invalid_passcode');
    });

    it('lets exactly one of two gateways win when both get the same passcode at once', async () => {
      const challenges = await Promise.all(anons.map((anon) => challengeFor(anon, ann)));
      const passcode = await ann.authenticator.freshPasscode();
      const answers = await Promise.all(
        anons.map((anon, i) => anon.post('/auth/login/verify', { challengeToken: challenges[i], passcode })),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    });

    it('locks the second factor after 5 wrong passcodes spread over both gateways, on both', async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const anon = anons[attempt % 2];
        const response = await anon.post('/auth/login/verify', {
          challengeToken: await challengeFor(anon, bob),
          passcode: wrongPasscode(bob.authenticator.secret),
        });
        expectError(response, 401, 'invalid_passcode');
      }
      for (const anon of anons) {
        const response = await anon.post('/auth/login/verify', {
          challengeToken: await challengeFor(anon, bob),
          passcode: currentPasscode(bob.authenticator.secret),
        });
        expectError(response, 429, 'too_many_attempts');
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    });
  });
});
