import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { HASH_CONCURRENCY } from '../thread-pool';

/** OWASP's argon2id profile: 19 MiB, 2 passes, 1 lane. Runs on libuv's thread pool, not the event loop. */
export const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Runs at most `limit` tasks at once; the others wait their turn, first come first served. */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((admit) => this.waiting.push(admit));
    try {
      return await task();
    } finally {
      // The slot goes straight to the next in line, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

@Injectable()
export class PasswordHasher {
  /**
   * One hash per core in the thread pool at a time (see thread-pool.ts): a burst of sign-ins
   * waits here instead of filling the pool, where SSO and file work would queue behind it.
   */
  private readonly gate = new ConcurrencyGate(HASH_CONCURRENCY);

  /** A real hash of nothing anyone knows: verifying against it costs what a real check costs. */
  private readonly dummyHash = this.hash('pbx2fa-timing-equaliser');

  hash(password: string): Promise<string> {
    return this.gate.run(() => hash(password, ARGON2_OPTIONS));
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await this.gate.run(() => verify(passwordHash, password));
    } catch {
      return false;
    }
  }

  /** Spends the time of a failed check, so an unknown user name answers as slowly as a wrong password. */
  async verifyNobody(password: string): Promise<false> {
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
