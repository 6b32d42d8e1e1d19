import type { RetentionRule } from '@pbx2fa/persistence';

/** WebAuthn challenges past their expiry (used or not): none can be used any more. */
export const expiredWebauthnChallenges = (keptMinutes: number): RetentionRule => ({
  table: 'webauthn_challenges',
  deleteBatch: `DELETE FROM webauthn_challenges WHERE id IN (
                  SELECT id FROM webauthn_challenges WHERE expires_at < now() - make_interval(mins => $2)
                   LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  params: [keptMinutes],
});
