/** Every security event the audit log records. */
export const AuditEvents = {
  Login: 'login',
  LoginSecondFactor: 'login.second_factor',
  /** The password was right, but the account must set up a second factor before the sign-in completes. */
  LoginEnrollmentRequired: 'login.enrollment_required',
  SecondFactorRejected: 'second_factor.rejected',
  SsoLogin: 'login.sso',
  Logout: 'logout',
  PasswordLocked: 'password.locked',
  SecondFactorLocked: 'second_factor.locked',
  TwoFactorSetupStarted: 'two_factor.setup_started',
  TwoFactorActivated: 'two_factor.activated',
  TwoFactorDisabled: 'two_factor.disabled',
  TwoFactorReset: 'two_factor.reset',
  RecoveryCodeUsed: 'recovery_code.used',
  RecoveryCodesRegenerated: 'recovery_codes.regenerated',
  UserCreated: 'user.created',
  PasskeyRegistered: 'passkey.registered',
  PasskeyRemoved: 'passkey.removed',
  /** Passwordless sign-in with a discoverable passkey (a passkey as the second step is login.second_factor). */
  LoginPasskey: 'login.passkey',
  /** "Remember this device" at a completed second step: that browser may skip the second factor for a while. */
  DeviceRemembered: 'device.remembered',
  /** The user forgot one remembered device (all of them go with a factor or password change, said in that entry). */
  DeviceForgotten: 'device.forgotten',
} as const;
export type AuditEvent = (typeof AuditEvents)[keyof typeof AuditEvents];

export type AuditOutcome = 'success' | 'failure' | 'locked';

export interface AuditEntry {
  event: AuditEvent;
  outcome: AuditOutcome;
  username?: string | null;
  userId?: string | null;
  resellerId?: string | null;
  /** Who did it, when not the user themself (an agent, or "system" for an approved ticket). */
  actor?: string | null;
  clientIp?: string | null;
  userAgent?: string | null;
  detail?: Record<string, string | number | boolean | null>;
}

/** Who an entry is about, from the user and the request. */
export function auditSubject(
  user: { username: string; id: string; resellerId: string | null },
  client: { ip: string | null; userAgent: string | null },
) {
  return {
    username: user.username,
    userId: user.id,
    resellerId: user.resellerId,
    clientIp: client.ip,
    userAgent: client.userAgent,
  };
}
