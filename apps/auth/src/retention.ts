import type { RetentionRule } from '@pbx2fa/persistence';
import type { AuthConfig } from './config';
import { expiredChallenges } from './login/challenge-retention';
import { finishedSecurityMails } from './notifications/security-mail-retention';
import { SECURITY_MAIL_MAX_AGE_DAYS } from './notifications/security-mail-outbox';
import { expiredWebauthnChallenges } from './passkeys/webauthn-challenge-retention';
import { expiredRememberedDevices } from './remembered-devices/remembered-device-retention';
import { endedSessions } from './sessions/session-retention';
import { endedSignInWindows } from './sign-in-limits/sign-in-rate-limit-retention';
import { expiredAssertionIds } from './sso/used-assertion-retention';
import { idleAttemptThrottles } from './throttle/attempt-throttle-retention';

/** The gateway's own rows past their use, each rule written beside its table's owner (README, "Retention"). */
export function authRetentionRules(
  config: Pick<AuthConfig, 'SESSION_RETENTION_DAYS' | 'SIGN_IN_STATE_RETENTION_MINUTES' | 'OUTBOX_RETENTION_DAYS'>,
): RetentionRule[] {
  const minutes = config.SIGN_IN_STATE_RETENTION_MINUTES;
  return [
    expiredChallenges(minutes),
    endedSessions(config.SESSION_RETENTION_DAYS),
    expiredAssertionIds(minutes),
    idleAttemptThrottles(minutes),
    endedSignInWindows(minutes),
    finishedSecurityMails(config.OUTBOX_RETENTION_DAYS, SECURITY_MAIL_MAX_AGE_DAYS),
    expiredWebauthnChallenges(minutes),
    expiredRememberedDevices(minutes),
  ];
}
