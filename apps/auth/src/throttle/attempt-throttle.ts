import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { queryRows } from '@pbx2fa/persistence';
import { Clock } from '../common/clock';

export const MAX_CONSECUTIVE_FAILURES = 5;
export const LOCK_SECONDS = 5 * 60;

/** One attempt that `reserve` let through: it already counts as a failure until `succeeded` says otherwise. */
export interface ReservedAttempt {
  key: string;
  /** Failures in a row if this attempt turns out wrong, counting it. */
  failuresIfWrong: number;
  /** Set when this attempt took the last of the allowance: the lock that stands if it is wrong. */
  locksUntil: Date | null;
}

/**
 * Counts failures in a row per key (a user's second factor; a username and client address for
 * passwords) in PostgreSQL, so the count holds across sessions, replicas and restarts. After
 * five in a row the key is locked for five minutes: every attempt, a right one too, is refused.
 *
 * An attempt is counted before it is checked, not after: `reserve` takes one of the five in a
 * single conditional statement, so of any number of attempts arriving at once at most five are
 * checked (reading the count first and writing it after let a burst of 200 check 32). The
 * attempt that takes the fifth sets the lock at once; a right answer gives back the whole run.
 */
@Injectable()
export class AttemptThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Takes one attempt of the key's allowance, or throws 429 too_many_attempts with Retry-After. */
  async reserve(key: string, what: string): Promise<ReservedAttempt> {
    const now = this.clock.now();
    const lockUntil = new Date(now.getTime() + LOCK_SECONDS * 1000);
    // A lock that has expired starts a new run; the row stays locked (ON CONFLICT) while it is counted.
    const [reserved] = await queryRows<{ failures: number; lockedUntil: Date | null }>(
      this.dataSource,
      `INSERT INTO attempt_throttles AS t (key, consecutive_failures, locked_until, updated_at)
       VALUES ($1, 1, CASE WHEN 1 >= $3 THEN $4::timestamptz END, $2)
       ON CONFLICT (key) DO UPDATE SET
         consecutive_failures = CASE WHEN t.locked_until <= $2 THEN 1 ELSE t.consecutive_failures + 1 END,
         locked_until = CASE WHEN (CASE WHEN t.locked_until <= $2 THEN 1 ELSE t.consecutive_failures + 1 END) >= $3
                             THEN $4::timestamptz END,
         updated_at = $2
       WHERE (t.locked_until IS NULL AND t.consecutive_failures < $3) OR t.locked_until <= $2
       RETURNING t.consecutive_failures AS failures, t.locked_until AS "lockedUntil"`,
      [key, now, MAX_CONSECUTIVE_FAILURES, lockUntil],
    );
    if (!reserved) throw tooManyAttempts(await this.lockedUntil(key, now), now, what);
    return { key, failuresIfWrong: reserved.failures, locksUntil: reserved.lockedUntil };
  }

  /** A right answer ends the run of failures, this attempt's included, and any lock it would have set. */
  async succeeded(attempt: ReservedAttempt): Promise<void> {
    await this.dataSource.query(
      'UPDATE attempt_throttles SET consecutive_failures = 0, locked_until = NULL, updated_at = $2 WHERE key = $1',
      [attempt.key, this.clock.now()],
    );
  }

  /** Gives back an attempt that was never checked (the check could not run), and the lock it set, if any. */
  async release(attempt: ReservedAttempt): Promise<void> {
    await this.dataSource.query(
      `UPDATE attempt_throttles SET consecutive_failures = GREATEST(consecutive_failures - 1, 0),
              locked_until = CASE WHEN locked_until = $2::timestamptz THEN NULL ELSE locked_until END
        WHERE key = $1`,
      [attempt.key, attempt.locksUntil],
    );
  }

  /** Whether the key is locked now: what `reserve` would refuse, without taking an attempt. */
  async isLocked(key: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM attempt_throttles WHERE key = $1 AND locked_until > $2',
      [key, this.clock.now()],
    );
    return rows.length > 0;
  }

  private async lockedUntil(key: string, now: Date): Promise<Date> {
    const [row] = await queryRows<{ lockedUntil: Date | null }>(
      this.dataSource,
      'SELECT locked_until AS "lockedUntil" FROM attempt_throttles WHERE key = $1',
      [key],
    );
    return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : new Date(now.getTime() + LOCK_SECONDS * 1000);
  }
}

export function tooManyAttempts(lockedUntil: Date, now: Date, what: string): DomainError {
  const retryAfter = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  const minutes = Math.ceil(retryAfter / 60);
  return new DomainError(
    429,
    ErrorCodes.TooManyAttempts,
    `Too many wrong ${what} in a row. For your security, try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    { 'Retry-After': String(retryAfter) },
  );
}

export const secondFactorKey = (userId: string) => `second-factor:${userId}`;
export const passwordKey = (username: string, clientIp: string | null) =>
  `password:${username.toLowerCase()}:${clientIp ?? 'unknown'}`;
