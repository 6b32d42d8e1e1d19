import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { HttpClient } from './lib/http';
import { closedLoop, sleep, summarize, type LatencySummary } from './lib/load';

export const FLOOD = { concurrency: 256, seconds: 10, userEveryMs: 200 };
const ATTACKER = '203.0.113.66';
const USER_ADDRESS = '198.51.100.99';

export interface FloodResult {
  alone: LatencySummary;
  underFlood: LatencySummary;
  /** p99 under the flood ÷ p50 alone. */
  ratio: number;
  userFailures: number;
  /** What the failed sign-ins of the user answered, by `<status> <error>`. */
  userFailureAnswers: Record<string, number>;
  /** The flood's answers by `<status> <error>`. */
  floodAnswers: Record<string, number>;
  floodPerSecond: number;
  /** Every sign-in of the user in order (ms): where in the flood the slow ones fell. */
  samples: { alone: number[]; underFlood: number[] };
}

/** A real user signing in every `userEveryMs` from an address of their own, for `seconds`. */
async function userSignIns(
  client: HttpClient,
  user: { username: string; password: string },
  seconds: number,
  failures: Record<string, number>,
): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const began = performance.now();
    const reply = await client.post('/auth/login', user);
    if (reply.status === 200 && reply.body?.status === 'authenticated') latencies.push(performance.now() - began);
    else failures[`${reply.status} ${reply.body?.error}`] = (failures[`${reply.status} ${reply.body?.error}`] ?? 0) + 1;
    await sleep(Math.max(0, FLOOD.userEveryMs - (performance.now() - began)));
  }
  return latencies;
}

/**
 * Issue #12's flood: one address sends `FLOOD.concurrency` concurrent logins for unknown users for
 * `FLOOD.seconds` while a user at another address signs in every 200 ms; the user's latency is
 * compared with the same user's alone, measured just before on the same machine.
 */
export async function measureSignInFlood(
  authUrl: string,
  user: { username: string; password: string },
): Promise<FloodResult> {
  const userClient = new HttpClient(authUrl, 4).with({ 'x-forwarded-for': USER_ADDRESS });
  const floodClient = new HttpClient(authUrl, FLOOD.concurrency).with({ 'x-forwarded-for': ATTACKER });
  try {
    const userFailureAnswers: Record<string, number> = {};
    const alone = await userSignIns(userClient, user, FLOOD.seconds, userFailureAnswers);
    const floodAnswers: Record<string, number> = {};
    const [flood, underFlood] = await Promise.all([
      closedLoop(FLOOD.concurrency, FLOOD.seconds, async () => {
        const reply = await floodClient.post('/auth/login', {
          username: `nobody-${randomBytes(4).toString('hex')}`,
          password: 'guess-123456',
        });
        const key = `${reply.status} ${reply.body?.error ?? reply.body?.status}`;
        floodAnswers[key] = (floodAnswers[key] ?? 0) + 1;
      }),
      userSignIns(userClient, user, FLOOD.seconds, userFailureAnswers),
    ]);
    const aloneSummary = summarize(alone);
    const underSummary = summarize(underFlood);
    return {
      alone: aloneSummary,
      underFlood: underSummary,
      ratio: underSummary.p99Ms / aloneSummary.p50Ms,
      userFailures: Object.values(userFailureAnswers).reduce((sum, n) => sum + n, 0),
      userFailureAnswers,
      floodAnswers,
      floodPerSecond: flood.perSecond,
      samples: { alone: alone.map(Math.round), underFlood: underFlood.map(Math.round) },
    };
  } finally {
    userClient.close();
    floodClient.close();
  }
}
