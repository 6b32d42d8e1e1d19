import type { RetentionRule } from '@pbx2fa/persistence';
import { SIGN_IN_LIMIT_TABLE } from './sign-in-rate-limit';

/**
 * Per-address windows that ended more than `keptMinutes` ago (`expire` is in epoch ms): the
 * next request from that address starts a new window either way. rate-limiter-flexible's own
 * clean-up, one unbatched DELETE per replica every five minutes, is turned off for this.
 */
export const endedSignInWindows = (keptMinutes: number): RetentionRule => ({
  table: SIGN_IN_LIMIT_TABLE,
  deleteBatch: `DELETE FROM ${SIGN_IN_LIMIT_TABLE} WHERE key IN (
                  SELECT key FROM ${SIGN_IN_LIMIT_TABLE} WHERE expire < (extract(epoch FROM now()) * 1000)::bigint - $2::bigint
                   LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  params: [keptMinutes * 60_000],
});
