import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { HASH_CONCURRENCY } from '../common/thread-pool';

/** OWASP's argon2id profile: 19 MiB, 2 passes, 1 lane. Runs on libuv's thread pool, not the event loop. */
export const ARGON2_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Thrown by a gate whose line is full: the task was not run. */
export class GateFullError extends Error {
  constructor() {
    super('too many tasks are waiting');
  }
}

/**
 * Runs at most `limit` tasks at once; the others wait in lanes (one per client address, say),
 * served in turn and each first come, first served: a lane with a hundred waiting does not hold
 * up a lane with one. When `maxWaiting()` tasks already wait, a new one is refused at once with
 * GateFullError.
 */
export class ConcurrencyGate {
  private running = 0;
  private waitingCount = 0;
  /** Insertion order is the turn order: a lane that was served goes to the back. */
  private readonly lanes = new Map<string, (() => void)[]>();

  constructor(
    readonly limit: number,
    private readonly maxWaiting: () => number = () => Infinity,
  ) {}

  /** Whether a task given now would be refused. */
  get full(): boolean {
    return this.running >= this.limit && this.waitingCount >= this.maxWaiting();
  }

  async run<T>(task: () => Promise<T>, lane = ''): Promise<T> {
    if (this.running < this.limit) this.running++;
    else if (this.waitingCount >= this.maxWaiting()) throw new GateFullError();
    else await new Promise<void>((admit) => this.enqueue(lane, admit));
    try {
      return await task();
    } finally {
      // The slot goes straight to the next in turn, or is given back.
      const next = this.dequeue();
      if (next) next();
      else this.running--;
    }
  }

  private enqueue(lane: string, admit: () => void): void {
    const queue = this.lanes.get(lane);
    if (queue) queue.push(admit);
    else this.lanes.set(lane, [admit]);
    this.waitingCount++;
  }

  private dequeue(): (() => void) | undefined {
    const first = this.lanes.entries().next();
    if (first.done) return undefined;
    const [lane, queue] = first.value;
    const admit = queue.shift();
    this.lanes.delete(lane);
    if (queue.length > 0) this.lanes.set(lane, queue);
    this.waitingCount--;
    return admit;
  }
}

/** How long a hash took, smoothed over the last few dozen. */
class HashTiming {
  private averageMs = 25;

  record(ms: number): void {
    this.averageMs += (ms - this.averageMs) / 32;
  }

  /** Hashes `lanes` threads finish in a second. */
  perSecond(lanes: number): number {
    return Math.ceil((lanes * 1000) / Math.max(1, this.averageMs));
  }
}

export const busy = () =>
  new DomainError(503, ErrorCodes.Busy, 'Sign-in is very busy right now. Please try again in a moment.', {
    'Retry-After': String(BUSY_RETRY_AFTER_SECONDS),
  });
const BUSY_RETRY_AFTER_SECONDS = 2;

@Injectable()
export class PasswordHasher {
  private readonly timing = new HashTiming();

  /**
   * One hash per core in the thread pool at a time (see thread-pool.ts): a burst of sign-ins
   * waits here instead of filling the pool, where SSO and file work would queue behind it. The
   * line holds about a second of hashing; past that a check answers 503 busy at once, rather
   * than waiting so long that the client gives up and the work is wasted.
   */
  private readonly gate = new ConcurrencyGate(HASH_CONCURRENCY, () => this.timing.perSecond(HASH_CONCURRENCY));

  /** A real hash of nothing anyone knows: verifying against it costs what a real check costs. */
  private readonly dummyHash = this.hash('pbx2fa-timing-equaliser');

  /** Throws 503 busy when a check given now would be refused: call it before counting an attempt. */
  assertCapacity(): void {
    if (this.gate.full) throw busy();
  }

  hash(password: string): Promise<string> {
    return this.timed(() => hash(password, ARGON2_OPTIONS));
  }

  /**
   * False for a wrong password or an unreadable hash; throws 503 busy when the line is full.
   * `lane` (the client's address) keeps one client's many checks from delaying everyone else's.
   */
  async verify(passwordHash: string, password: string, lane?: string): Promise<boolean> {
    return this.timed(async () => {
      try {
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    }, lane);
  }

  /** Spends the time of a failed check, so an unknown user name answers as slowly as a wrong password. */
  async verifyNobody(password: string, lane?: string): Promise<false> {
    await this.verify(await this.dummyHash, password, lane);
    return false;
  }

  private async timed<T>(work: () => Promise<T>, lane?: string): Promise<T> {
    try {
      return await this.gate.run(async () => {
        const started = performance.now();
        try {
          return await work();
        } finally {
          this.timing.record(performance.now() - started);
        }
      }, lane);
    } catch (error) {
      throw error instanceof GateFullError ? busy() : error;
    }
  }
}
