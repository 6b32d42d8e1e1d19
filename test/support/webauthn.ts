import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software authenticator for the API tests: makes passkeys (ES256 keys from Node's crypto) and
 * answers WebAuthn options the way a browser and a platform authenticator would, in the JSON form
 * @simplewebauthn/browser sends — attestation `none`, a signature counter that goes up by one per
 * use, user verification as told. Every field can be bent (origin, rp id, challenge, counter,
 * flags) so a test can send what an attacker or a broken client would. It does not know the
 * server library: what it builds is what the WebAuthn spec says an authenticator builds.
 */

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

// --- a little CBOR (RFC 8949): unsigned and negative integers, byte and text strings, maps -----------
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) {
    const out = Buffer.alloc(3);
    out[0] = (major << 5) | 25;
    out.writeUInt16BE(value, 1);
    return out;
  }
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(value, 1);
  return out;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, text.length), text]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([
    head(5, value.size),
    ...[...value.entries()].flatMap(([key, item]) => [cbor(key), cbor(item)]),
  ]);
}

/** The public key as a COSE_Key (RFC 9053): EC2, ES256, P-256. */
function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return cbor(
    new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

function authenticatorData(rpId: string, flags: number, signCount: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(signCount >>> 0);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

// --- the options and responses in their JSON form ------------------------------------------------
export interface CreationOptionsJSON {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: { type: string; alg: number }[];
  excludeCredentials?: { id: string }[];
}

export interface RequestOptionsJSON {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
  userVerification?: string;
}

export interface RegistrationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment: 'platform';
}

export interface AuthenticationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment: 'platform';
}

export interface SoftCredential {
  /** base64url, as the server lists it. */
  id: string;
  privateKey: KeyObject;
  rpId: string;
  /** base64url user handle from the creation options. */
  userHandle: string;
  signCount: number;
}

/** What a test may bend in a ceremony. */
export interface Bend {
  origin?: string;
  rpId?: string;
  challenge?: string;
  userVerified?: boolean;
  /** Another clientData type than the ceremony's (`webauthn.create` / `webauthn.get`). */
  type?: string;
  /** The counter to report (default: one more than the last). */
  signCount?: number;
  /** Sign with this credential whatever the options allow. */
  credential?: SoftCredential;
}

export class SoftwareAuthenticator {
  readonly credentials: SoftCredential[] = [];

  /** `origin`: where the "browser" says it is, e.g. http://localhost:3000. */
  constructor(readonly origin: string) {}

  private clientData(type: string, challenge: string, bend: Bend): Buffer {
    return Buffer.from(
      JSON.stringify({
        type: bend.type ?? type,
        challenge: bend.challenge ?? challenge,
        origin: bend.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
  }

  /** navigator.credentials.create(): a new ES256 passkey for `options.rp.id` (else the origin's host), attestation none. */
  register(options: CreationOptionsJSON, bend: Bend = {}): RegistrationResponse {
    const rpId = bend.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(16);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const attested = Buffer.concat([Buffer.alloc(16) /* aaguid: none */, idLength, id, coseKey(publicKey)]);
    const uv = bend.userVerified ?? true;
    const authData = authenticatorData(rpId, FLAG_UP | (uv ? FLAG_UV : 0) | FLAG_AT, 0, attested);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const credential: SoftCredential = { id: b64url(id), privateKey, rpId, userHandle: options.user.id, signCount: 0 };
    this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, bend)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * navigator.credentials.get(): signs with the first of its credentials the options allow, or —
   * with no allowCredentials (a discoverable sign-in) — the first for the rp id, handing back its
   * user handle.
   */
  authenticate(options: RequestOptionsJSON, bend: Bend = {}): AuthenticationResponse {
    const rpId = bend.rpId ?? options.rpId ?? new URL(this.origin).hostname;
    const allowed = options.allowCredentials ?? [];
    const credential =
      bend.credential ??
      (allowed.length
        ? this.credentials.find((own) => allowed.some((allow) => allow.id === own.id))
        : this.credentials.find((own) => own.rpId === (options.rpId ?? rpId)));
    if (!credential) throw new Error('this authenticator holds no credential these options allow');
    // A bent counter is what a clone would report; the authenticator's own count goes on as before.
    const signCount = bend.signCount ?? ++credential.signCount;
    const uv = bend.userVerified ?? true;
    const authData = authenticatorData(rpId, FLAG_UP | (uv ? FLAG_UV : 0), signCount);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, bend);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(allowed.length ? {} : { userHandle: credential.userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
