import type { RetentionRule } from '@pbx2fa/persistence';

/**
 * Throttle rows that hold nothing any more, untouched for `keptMinutes`: no failures counted
 * (a right answer cleared them), or a lock that ran out — the next attempt would start a new run
 * from one either way (AttemptThrottle.reserve), exactly as with no row. A row still counting
 * failures, or locked, stays.
 */
export const idleAttemptThrottles = (keptMinutes: number): RetentionRule => ({
  table: 'attempt_throttles',
  deleteBatch: `DELETE FROM attempt_throttles WHERE key IN (
                  SELECT key FROM attempt_throttles
                   WHERE (consecutive_failures = 0 AND locked_until IS NULL AND updated_at < now() - make_interval(mins => $2))
                      OR locked_until < now() - make_interval(mins => $2)
                   LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  params: [keptMinutes],
});
