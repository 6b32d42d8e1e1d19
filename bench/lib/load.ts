import { performance } from 'node:perf_hooks';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;
  return {
    count: sorted.length,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    meanMs: sorted.length ? sorted.reduce((sum, value) => sum + value, 0) / sorted.length : NaN,
  };
}

export interface ClosedLoopResult {
  /** Operations that succeeded inside the window, per second of the window. */
  perSecond: number;
  ok: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  concurrency: number;
  latency: LatencySummary;
}

/**
 * `concurrency` workers, each sending its next operation as soon as the previous one answered
 * (or until `op` returns false: nothing left to send). With `warmupSeconds`, the first answers
 * are not counted: only operations answered inside the window of `seconds` that follows count
 * (and give the latencies), so a slice measures the steady state, not the ramp up and down.
 */
export async function closedLoop(
  concurrency: number,
  seconds: number,
  op: (worker: number) => Promise<boolean | void>,
  { warmupSeconds = 0, keepLatencies }: { warmupSeconds?: number; keepLatencies?: number[] } = {},
): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const windowStart = performance.now() + warmupSeconds * 1000;
  const windowEnd = windowStart + seconds * 1000;
  let exhausted = false;
  let lastAnswer = windowStart;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (!exhausted && performance.now() < windowEnd) {
        const begin = performance.now();
        try {
          const more = await op(worker);
          if (more === false) {
            exhausted = true;
            break;
          }
          const end = performance.now();
          if (end >= windowStart && end <= windowEnd) {
            latencies.push(end - begin);
            lastAnswer = Math.max(lastAnswer, end);
          }
        } catch (error) {
          errors++;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  // A run that ran out of work before the window closed is measured up to its last answer.
  const elapsed = ((exhausted ? lastAnswer : windowEnd) - windowStart) / 1000;
  keepLatencies?.push(...latencies);
  return {
    perSecond: latencies.length / elapsed,
    ok: latencies.length,
    errors,
    firstError,
    seconds: elapsed,
    concurrency,
    latency: summarize(latencies),
  };
}

/** Runs `fn` over `items`, at most `concurrency` at a time; returns the results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index], index);
      }
    }),
  );
  return results;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
