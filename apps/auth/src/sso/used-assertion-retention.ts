import type { RetentionRule } from '@pbx2fa/persistence';
import { ASSERTION_CLOCK_TOLERANCE_SECONDS } from './ringos-assertion.verifier';

/**
 * Used assertion ids once their assertion can no longer be accepted: its expiry plus the clock
 * tolerance the verifier allows (never less, whatever is configured), or a replay would pass.
 */
export const expiredAssertionIds = (keptMinutes: number): RetentionRule => ({
  table: 'used_sso_assertions',
  deleteBatch: `DELETE FROM used_sso_assertions WHERE jti IN (
                  SELECT jti FROM used_sso_assertions WHERE expires_at < now() - make_interval(secs => $2)
                   LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  params: [Math.max(keptMinutes * 60, 2 * ASSERTION_CLOCK_TOLERANCE_SECONDS)],
});
