import { pastExpiry, type RetentionRule } from '@pbx2fa/persistence';

/** Login challenges past their expiry (used or not): none can be used any more. */
export const expiredChallenges = (keptMinutes: number): RetentionRule => pastExpiry('login_challenges', keptMinutes);
