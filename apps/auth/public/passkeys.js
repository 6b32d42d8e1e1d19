// Passkeys in the pages, over @simplewebauthn/browser (its ES module build, served by the gateway
// at /assets/simplewebauthn/): create one for Add a Passkey, and answer a sign-in's request.
// The browser's own refusals are turned into sentences a person can act on.

import { startAuthentication, startRegistration } from '/assets/simplewebauthn/index.js';
import { ApiError, post } from './api.js';

const BROWSER_REFUSALS = {
  InvalidStateError: 'This device already holds a passkey for your account. Use another device or security key.',
  NotAllowedError:
    'The passkey request was cancelled or timed out, or this device has no passkey for this site. Try again when you are ready.',
  SecurityError:
    'Passkeys work only on the dashboard’s own address. Open the dashboard by its usual name and try again.',
  NotSupportedError: 'This browser or device cannot use passkeys. Use another sign-in method.',
};

/** A refusal of the browser (or the server) as an ApiError with a sentence for a person. */
export function passkeyError(error) {
  if (error instanceof ApiError) return error;
  const name = error?.cause?.name ?? error?.name;
  return new ApiError(0, 'passkey_failed', BROWSER_REFUSALS[name] ?? (error?.message || 'The passkey did not work.'));
}

/** Add a Passkey: the server's creation options, answered by the browser's authenticator. */
export async function createPasskey() {
  const optionsJSON = await post('/auth/passkeys/registration-options', {});
  try {
    return await startRegistration({ optionsJSON });
  } catch (error) {
    throw passkeyError(error);
  }
}

/** A sign-in with a passkey: the request options from `optionsPath`, answered by the authenticator. */
export async function passkeyAssertion(optionsPath, body = {}) {
  const optionsJSON = await post(optionsPath, body);
  try {
    return await startAuthentication({ optionsJSON });
  } catch (error) {
    throw passkeyError(error);
  }
}
