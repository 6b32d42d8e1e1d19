/**
 * The bound: argon2 password checks per second with the gateway's own parameters on every core.
 * A process of its own (its libuv pool sized by the parent through UV_THREADPOOL_SIZE, nothing
 * else using it) that verifies a password — what a login does — against a hash made with
 * ARGON2_OPTIONS from the built auth service, `concurrency` checks in flight.
 *
 * It prints one JSON line when ready ({ singleMs, options }), then, for every line "<ms>" read
 * on stdin, runs a slice: 300 ms of warm-up, then counts the checks that finish within the next
 * <ms>, and prints { perSecond, checks, seconds, cpuSecondsPerCheck }. The parent interleaves
 * these slices with the login measurement, so both see the same machine.
 */
import { hash, verify } from '@node-rs/argon2';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

// The built gateway's parameters, not a copy of them.
const { ARGON2_OPTIONS } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file of the build, typed from its source
  require('../dist/apps/auth/src/users/password-hasher.js') as typeof import('../apps/auth/src/users/password-hasher');

const WARM_UP_MS = 300;
const PASSWORD = 'Pbx-bench-password-7q!';

async function main(): Promise<void> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE);
  const concurrency = Number(process.argv[2] ?? threads * 2);
  const stored = await hash(PASSWORD, ARGON2_OPTIONS);
  const check = async () => {
    if (!(await verify(stored, PASSWORD))) throw new Error('argon2 verify failed');
  };

  // One at a time: the cost of a single check on an otherwise idle pool.
  const single: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    await check();
    single.push(performance.now() - started);
  }
  single.sort((a, b) => a - b);
  const { memoryCost, timeCost, parallelism } = ARGON2_OPTIONS;
  process.stdout.write(
    `${JSON.stringify({ threads, concurrency, singleMs: single[5], options: { memoryCost, timeCost, parallelism } })}\n`,
  );

  for await (const line of createInterface({ input: process.stdin })) {
    const ms = Number(line);
    if (!(ms > 0)) break;
    const windowStart = performance.now() + WARM_UP_MS;
    const windowEnd = windowStart + ms;
    let checks = 0;
    let cpuAtStart = process.cpuUsage();
    let cpuInWindow: NodeJS.CpuUsage | null = null;
    const timers = [
      setTimeout(() => (cpuAtStart = process.cpuUsage()), WARM_UP_MS),
      setTimeout(() => (cpuInWindow = process.cpuUsage(cpuAtStart)), WARM_UP_MS + ms),
    ];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < windowEnd) {
          await check();
          const now = performance.now();
          if (now >= windowStart && now <= windowEnd) checks++;
        }
      }),
    );
    for (const timer of timers) clearTimeout(timer);
    const cpu = cpuInWindow ?? process.cpuUsage(cpuAtStart);
    process.stdout.write(
      `${JSON.stringify({ perSecond: checks / (ms / 1000), checks, seconds: ms / 1000, cpuSecondsPerCheck: (cpu.user + cpu.system) / 1e6 / Math.max(1, checks) })}\n`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
