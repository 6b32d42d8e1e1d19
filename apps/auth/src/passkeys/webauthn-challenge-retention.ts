import { pastExpiry, type RetentionRule } from '@pbx2fa/persistence';

/** WebAuthn challenges past their expiry (used or not): none can be used any more. */
export const expiredWebauthnChallenges = (keptMinutes: number): RetentionRule =>
  pastExpiry('webauthn_challenges', keptMinutes);
