import { DomainError, ErrorCodes, type Role } from '@pbx2fa/contracts';

/**
 * Who must have a second factor, and what a sign-in does about it. One home for the rule that
 * agents — who approve what turns 2FA off for any reseller — always have one, whatever any
 * reseller's policy.
 */

/** A user's second factors as the contract names them (`methods` of `two_factor_required`). */
export type FactorMethod = 'totp' | 'passkey' | 'recovery_code';

/** Why a sign-in must set up a second factor before it is complete. `reseller_policy` is for the reseller's `required` mode. */
export type EnrollmentReason = 'agent' | 'reseller_policy';

/** Recovery codes back a factor up; on their own they are not one. */
export const hasFactor = (methods: readonly FactorMethod[]) => methods.some((method) => method !== 'recovery_code');

/** Agents always have a second factor: they may always set one up, and may never turn it off. */
export const mustAlwaysHaveSecondFactor = (user: { role: Role }) => user.role === 'agent';

/** Whether the sign-in of a user with these factors must enroll first, and why; null when it need not. */
export function enrollmentReason(user: { role: Role }, methods: readonly FactorMethod[]): EnrollmentReason | null {
  if (hasFactor(methods)) return null;
  return mustAlwaysHaveSecondFactor(user) ? 'agent' : null;
}

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

/** The answer to setting up a factor (an authenticator or a passkey) while the user's reseller has no 2FA. */
export const twoFactorNotEnabledForReseller = () =>
  new DomainError(
    403,
    ErrorCodes.TwoFactorNotEnabledForReseller,
    'Two-factor authentication is not enabled for your reseller yet. Open a support ticket to request it.',
  );
