import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';

/**
 * The WebAuthn responses as @simplewebauthn/browser sends them (JSON, binary fields in
 * base64url), checked for shape before anything else reads them: a malformed one is refused as
 * such and never reaches the verifier. Fields a browser may add are let through.
 */

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

const credentialId = base64url(1400);
const clientDataJSON = base64url(8192);

const common = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  clientExtensionResults: z.looseObject({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};

const registrationSchema = z.looseObject({
  ...common,
  response: z.looseObject({
    clientDataJSON,
    attestationObject: base64url(16_384),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
});

const authenticationSchema = z.looseObject({
  ...common,
  response: z.looseObject({
    clientDataJSON,
    authenticatorData: base64url(4096),
    signature: base64url(1024),
    userHandle: base64url(128).optional(),
  }),
});

const clientDataSchema = z.looseObject({ challenge: base64url(512) });

export interface Parsed<T> {
  response: T;
  /** The challenge the browser says it answered (from clientDataJSON), to look up on the server. */
  challenge: string;
}

function parse<T>(schema: z.ZodType, value: unknown): Parsed<T> | null {
  const shaped = schema.safeParse(value);
  if (!shaped.success) return null;
  const response = shaped.data as T & { response: { clientDataJSON: string } };
  let clientData: unknown;
  try {
    clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const data = clientDataSchema.safeParse(clientData);
  return data.success ? { response, challenge: data.data.challenge } : null;
}

/** A registration response, or null when it is not one. */
export const parseRegistrationResponse = (value: unknown) => parse<RegistrationResponseJSON>(registrationSchema, value);

/** An authentication response, or null when it is not one. */
export const parseAuthenticationResponse = (value: unknown) =>
  parse<AuthenticationResponseJSON>(authenticationSchema, value);

/**
 * The WebAuthn user handle of an account: its id's 16 bytes. Not personal data (the spec asks for
 * that), stable, and what a discoverable credential hands back to name its user.
 */
export const userHandleOf = (userId: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(Buffer.from(userId.replace(/-/g, ''), 'hex'));
