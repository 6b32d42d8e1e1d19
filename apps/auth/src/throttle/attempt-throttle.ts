import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { Clock } from '../common/clock';

export const MAX_CONSECUTIVE_FAILURES = 5;
export const LOCK_SECONDS = 5 * 60;

/** A key's row as `assertOpen` read it: passed back to `recordSuccess`, which then writes only when needed. */
export interface ThrottleState {
  consecutiveFailures: number;
  lockedUntil: Date | null;
}

/** The columns of a throttle row `t` as a ThrottleState, for a query that reads it with other rows. */
export const THROTTLE_STATE_COLUMNS =
  'COALESCE(t.consecutive_failures, 0) AS "consecutiveFailures", t.locked_until AS "lockedUntil"';

export interface FailureOutcome {
  consecutiveFailures: number;
  /** Set when this failure locked the key. */
  lockedUntil: Date | null;
}

/**
 * Counts failures in a row per key (a user's second factor; a username and client address for
 * passwords) in PostgreSQL, so the count holds across sessions, replicas and restarts. After
 * five in a row the key is locked for five minutes: every attempt, a right one too, is refused.
 */
@Injectable()
export class AttemptThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Throws 429 too_many_attempts with Retry-After while the key is locked; reads the key unless given its row. */
  async assertOpen(key: string, what: string, known?: ThrottleState): Promise<ThrottleState> {
    const state = known ?? (await this.read(key));
    const now = this.clock.now();
    if (state.lockedUntil && state.lockedUntil > now) throw tooManyAttempts(state.lockedUntil, now, what);
    return state;
  }

  private async read(key: string): Promise<ThrottleState> {
    const rows: ThrottleState[] = await this.dataSource.query(
      `SELECT ${THROTTLE_STATE_COLUMNS} FROM attempt_throttles t WHERE t.key = $1`,
      [key],
    );
    return rows[0] ?? { consecutiveFailures: 0, lockedUntil: null };
  }

  async recordFailure(key: string): Promise<FailureOutcome> {
    const now = this.clock.now();
    const lockUntil = new Date(now.getTime() + LOCK_SECONDS * 1000);
    // One statement: replicas counting the same key at once cannot lose a failure.
    const [row]: { consecutiveFailures: number; lockedUntil: Date | null }[] = await this.dataSource.query(
      `INSERT INTO attempt_throttles (key, consecutive_failures, locked_until, updated_at) VALUES ($1, 1, NULL, $2)
       ON CONFLICT (key) DO UPDATE SET
         consecutive_failures = CASE WHEN attempt_throttles.consecutive_failures + 1 >= $3 THEN 0
                                     ELSE attempt_throttles.consecutive_failures + 1 END,
         locked_until = CASE WHEN attempt_throttles.consecutive_failures + 1 >= $3 THEN $4::timestamptz
                             ELSE attempt_throttles.locked_until END,
         updated_at = $2
       RETURNING consecutive_failures AS "consecutiveFailures", locked_until AS "lockedUntil"`,
      [key, now, MAX_CONSECUTIVE_FAILURES, lockUntil],
    );
    const justLocked = row.lockedUntil !== null && row.lockedUntil.getTime() === lockUntil.getTime();
    return {
      consecutiveFailures: justLocked ? MAX_CONSECUTIVE_FAILURES : row.consecutiveFailures,
      lockedUntil: justLocked ? row.lockedUntil : null,
    };
  }

  /**
   * Ends a run of failures. Given what `assertOpen` read, a key that had none is left alone: most
   * sign-ins follow no failure, and the write (a commit) would cost them a round trip for nothing.
   * A failure racing in between is then kept rather than wiped: the stricter reading.
   */
  async recordSuccess(key: string, seen?: ThrottleState): Promise<void> {
    if (seen && seen.consecutiveFailures === 0) return;
    await this.dataSource.query('UPDATE attempt_throttles SET consecutive_failures = 0, updated_at = $2 WHERE key = $1', [key, this.clock.now()]);
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

/** Keys of second-factor throttles are this and the user id. */
export const SECOND_FACTOR_KEY_PREFIX = 'second-factor:';
export const secondFactorKey = (userId: string) => `${SECOND_FACTOR_KEY_PREFIX}${userId}`;
export const passwordKey = (username: string, clientIp: string | null) => `password:${username.toLowerCase()}:${clientIp ?? 'unknown'}`;
