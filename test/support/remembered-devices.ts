import type { ApiClient, ApiResponse } from './api';
import { stepAt } from './totp';
import { challengeFor, type EnrolledUser } from './two-factor';

/** "Remember this device" over the public API, as the dashboard's sign-in does it. */

/**
 * What answers a second step now without waiting for the clock: a fresh passcode while one is
 * left for this step or the next, else one of the recovery codes.
 */
export async function secondFactorProof(user: EnrolledUser): Promise<{ passcode: string } | { recoveryCode: string }> {
  if (user.authenticator.lastUsedStep > stepAt() && user.recoveryCodes.length > 0)
    return { recoveryCode: user.recoveryCodes.shift()! };
  return { passcode: await user.authenticator.freshPasscode() };
}

/** Password, the second factor and `rememberDevice: true`: the answer of the second step. */
export async function verifyRemembering(anon: ApiClient, user: EnrolledUser): Promise<ApiResponse> {
  const challengeToken = await challengeFor(anon, user);
  return anon.post('/auth/login/verify', { challengeToken, ...(await secondFactorProof(user)), rememberDevice: true });
}

/** A sign-in that remembers this device: its device token. */
export async function rememberThisDevice(anon: ApiClient, user: EnrolledUser): Promise<string> {
  const response = await verifyRemembering(anon, user);
  if (response.status !== 200 || typeof response.body?.deviceToken !== 'string')
    throw new Error(`the second step with rememberDevice answered ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.deviceToken;
}

/** POST /auth/login with a device token (and the user's own password unless told otherwise). */
export function loginWithDevice(
  anon: ApiClient,
  user: { username: string; password: string },
  deviceToken: unknown,
  password = user.password,
): Promise<ApiResponse> {
  return anon.post('/auth/login', { username: user.username, password, deviceToken });
}
