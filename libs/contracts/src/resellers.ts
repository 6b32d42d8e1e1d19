/**
 * A reseller's 2FA policy: `off`; `optional` (users may enroll, whoever did is asked); `required`
 * (every user must have a factor from `enrollBy` on). `twoFactorEnabled` is true unless `off`.
 */
export const TwoFactorModes = ['off', 'optional', 'required'] as const;
export type TwoFactorMode = (typeof TwoFactorModes)[number];

/** `require_2fa` gives the reseller's users 0 to 90 days to enroll. */
export const GRACE_DAYS_MIN = 0;
export const GRACE_DAYS_MAX = 90;

/** How long a remembered device skips the second factor unless the reseller says otherwise (0 = never offered). */
export const DEFAULT_REMEMBER_DEVICE_DAYS = 30;

export const isTwoFactorEnabled = (mode: TwoFactorMode) => mode !== 'off';

/** The mode of an event or answer from before modes existed: only on or off was known then. */
export const modeOf = (change: { enabled: boolean; mode?: TwoFactorMode }): TwoFactorMode =>
  change.mode ?? (change.enabled ? 'optional' : 'off');

export interface ResellerView {
  id: string;
  name: string;
  twoFactorEnabled: boolean;
  twoFactorMode: TwoFactorMode;
  /** In `required` mode: from when users without a second factor must enroll at sign-in (ISO time); null otherwise. */
  enrollBy: string | null;
  rememberDeviceDays: number;
  version: number;
  updatedAt: string;
}

export interface CreateResellerBody {
  id: string;
  name: string;
}
