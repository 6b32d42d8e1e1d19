import type { ApiClient, ApiResponse } from './api';
import {
  SoftwareAuthenticator,
  type AuthenticationResponse,
  type Bend,
  type CreationOptionsJSON,
  type RequestOptionsJSON,
} from './webauthn';

/** Passkey ceremonies over the public API, with the software authenticator of ./webauthn. */

/** The origin a browser on the stack's gateway would report: WebAuthn wants a name, never 127.0.0.1. */
export const passkeyOrigin = (authUrl: string) => `http://localhost:${new URL(authUrl).port}`;

function expectStatus(response: ApiResponse, status: number, what: string): void {
  if (response.status !== status)
    throw new Error(`${what} answered ${response.status} ${JSON.stringify(response.body)}`);
}

export async function registrationOptions(client: ApiClient): Promise<CreationOptionsJSON> {
  const response = await client.post<CreationOptionsJSON>('/auth/passkeys/registration-options', {});
  expectStatus(response, 200, 'POST /auth/passkeys/registration-options');
  return response.body;
}

/** Add a Passkey: options, the authenticator's answer, then POST /auth/passkeys; the raw answer. */
export async function addPasskey(
  client: ApiClient,
  authenticator: SoftwareAuthenticator,
  currentPassword: string,
  { name = 'Laptop', bend = {} }: { name?: string; bend?: Bend } = {},
): Promise<ApiResponse> {
  const options = await registrationOptions(client);
  return client.post('/auth/passkeys', { response: authenticator.register(options, bend), name, currentPassword });
}

/** Add a Passkey that must succeed: the answer's body. */
export async function registerPasskey(
  client: ApiClient,
  authenticator: SoftwareAuthenticator,
  currentPassword: string,
  name = 'Laptop',
): Promise<{ id: string; name: string; createdAt: string; recoveryCodes?: string[]; accessToken?: string }> {
  const response = await addPasskey(client, authenticator, currentPassword, { name });
  expectStatus(response, 201, 'POST /auth/passkeys');
  return response.body;
}

export async function loginPasskeyOptions(anon: ApiClient, challengeToken: string): Promise<RequestOptionsJSON> {
  const response = await anon.post<RequestOptionsJSON>('/auth/login/passkey-options', { challengeToken });
  expectStatus(response, 200, 'POST /auth/login/passkey-options');
  return response.body;
}

/** The second step with a passkey: the assertion sent, and the answer. */
export async function verifyWithPasskey(
  anon: ApiClient,
  challengeToken: string,
  authenticator: SoftwareAuthenticator,
  bend: Bend = {},
): Promise<{ assertion: AuthenticationResponse; response: ApiResponse }> {
  const assertion = authenticator.authenticate(await loginPasskeyOptions(anon, challengeToken), bend);
  return { assertion, response: await anon.post('/auth/login/verify', { challengeToken, passkey: assertion }) };
}

export async function passwordlessOptions(anon: ApiClient): Promise<RequestOptionsJSON> {
  const response = await anon.post<RequestOptionsJSON>('/auth/passkey/options', {});
  expectStatus(response, 200, 'POST /auth/passkey/options');
  return response.body;
}

/** Use a Passkey (passwordless): the assertion sent, and the answer. */
export async function passwordlessSignIn(
  anon: ApiClient,
  authenticator: SoftwareAuthenticator,
  bend: Bend = {},
): Promise<{ assertion: AuthenticationResponse; response: ApiResponse }> {
  const assertion = authenticator.authenticate(await passwordlessOptions(anon), bend);
  return { assertion, response: await anon.post('/auth/passkey', { response: assertion }) };
}
