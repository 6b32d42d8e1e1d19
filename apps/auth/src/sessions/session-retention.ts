import type { RetentionRule } from '@pbx2fa/persistence';

/** Sessions that ended (expired or logged out / revoked) more than `keptDays` ago. */
export const endedSessions = (keptDays: number): RetentionRule => ({
  table: 'sessions',
  deleteBatch: `DELETE FROM sessions WHERE id IN (
                  SELECT id FROM sessions
                   WHERE expires_at < now() - make_interval(days => $2) OR revoked_at < now() - make_interval(days => $2)
                   LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  params: [keptDays],
});
