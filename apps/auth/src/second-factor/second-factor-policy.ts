import { DomainError, ErrorCodes, type Role, type TwoFactorMode } from '@pbx2fa/contracts';

/**
 * Who must have a second factor, and what a sign-in does about it. One home for the rule that
 * agents — who approve what turns 2FA off for any reseller — always have one, whatever any
 * reseller's policy; and for the reseller's `required` mode, which demands one of every user
 * from its `enrollBy` on.
 */

/** A user's second factors as the contract names them (`methods` of `two_factor_required`). */
export type FactorMethod = 'totp' | 'passkey' | 'recovery_code';

/** Why a sign-in must set up a second factor before it is complete. `reseller_policy` is for the reseller's `required` mode. */
export type EnrollmentReason = 'agent' | 'reseller_policy';

/** Recovery codes back a factor up; on their own they are not one. */
export const hasFactor = (methods: readonly FactorMethod[]) => methods.some((method) => method !== 'recovery_code');

/** Agents always have a second factor: they may always set one up, and may never turn it off. */
export const mustAlwaysHaveSecondFactor = (user: { role: Role }) => user.role === 'agent';

/** What the user's reseller asks of its users (the gateway's copy of its policy); null for no reseller. */
export interface ResellerRequirement {
  mode: TwoFactorMode;
  /** In `required` mode: from when a user without a factor must enroll (a mode without it demands at once). */
  enrollBy: Date | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether the reseller demands a second factor of its users at `now`: `required`, and its grace period is over. */
export function resellerDemandsFactor(reseller: ResellerRequirement | null, now: Date): boolean {
  if (reseller?.mode !== 'required') return false;
  return reseller.enrollBy === null || reseller.enrollBy.getTime() <= now.getTime();
}

/** Whether the sign-in of a user with these factors must enroll first, and why; null when it need not. */
export function enrollmentReason(
  user: { role: Role },
  methods: readonly FactorMethod[],
  reseller: ResellerRequirement | null = null,
  now: Date = new Date(),
): EnrollmentReason | null {
  if (hasFactor(methods)) return null;
  if (mustAlwaysHaveSecondFactor(user)) return 'agent';
  return resellerDemandsFactor(reseller, now) ? 'reseller_policy' : null;
}

/**
 * For a user without a factor inside the reseller's grace period: the whole days left to enroll
 * (rounded up, so the last day says 1). Null when nothing is pending: no `required` mode, the
 * user has a factor, or the deadline has passed (the sign-in enrolls then).
 */
export function enrollmentDaysLeft(
  userHasFactor: boolean,
  reseller: ResellerRequirement | null,
  now: Date,
): number | null {
  if (userHasFactor || reseller?.mode !== 'required' || resellerDemandsFactor(reseller, now)) return null;
  return Math.ceil((reseller.enrollBy!.getTime() - now.getTime()) / DAY_MS);
}

/** Whether a reseller's policy asks this user for the second factor: 2FA on, and the user holds a factor. */
export const askedByResellerPolicy = (twoFactorEnabled: boolean, methods: readonly FactorMethod[]) =>
  twoFactorEnabled && hasFactor(methods);

/**
 * Whether a password sign-in asks for the second factor: when the reseller's policy asks
 * (`askedByResellerPolicy`: 2FA on and the user activated a factor), and for agents whenever
 * they have one.
 */
export function secondFactorAsked(
  user: { role: Role },
  methods: readonly FactorMethod[],
  askedByResellerPolicy: boolean,
): boolean {
  return askedByResellerPolicy || (mustAlwaysHaveSecondFactor(user) && hasFactor(methods));
}

/**
 * How many days a device of this user may skip the second factor after "Remember this device":
 * the reseller's current `rememberDeviceDays` (0: never offered). Never for agents: they have no
 * reseller to set the days, and they hold the strongest powers, so each of their sign-ins is asked.
 */
export function rememberDeviceDays(user: { role: Role }, resellerDays: number | null | undefined): number {
  if (mustAlwaysHaveSecondFactor(user)) return 0;
  return Math.max(0, resellerDays ?? 0);
}

/** The answer to setting up a factor (an authenticator or a passkey) while the user's reseller has no 2FA. */
export const twoFactorNotEnabledForReseller = () =>
  new DomainError(
    403,
    ErrorCodes.TwoFactorNotEnabledForReseller,
    'Two-factor authentication is not enabled for your reseller yet. Open a support ticket to request it.',
  );
