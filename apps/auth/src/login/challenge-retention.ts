import type { RetentionRule } from '@pbx2fa/persistence';

/** Login challenges past their expiry (used or not): none can be used any more. */
export const expiredChallenges = (keptMinutes: number): RetentionRule => ({
  table: 'login_challenges',
  deleteBatch: `DELETE FROM login_challenges WHERE id IN (
                  SELECT id FROM login_challenges WHERE expires_at < now() - make_interval(mins => $2)
                   LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  params: [keptMinutes],
});
