import { createHash, createHmac, hkdfSync, randomInt } from 'node:crypto';
import { secretBoxKey, type SecretBoxKey } from './secret-box';

export const RECOVERY_CODE_COUNT = 10;
// Crockford-style alphabet: no I, L, O, U, so codes read aloud and typed back without confusion.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 3;
const GROUP_LENGTH = 4;

/** Ten codes of 60 random bits each, shown once, like `7K2M-QX9D-4HWT`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () =>
    Array.from({ length: GROUPS }, () =>
      Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
    ).join('-'),
  );
}

/** Accepts what people type: any case, with or without dashes and spaces. */
export function normalizeRecoveryCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

const HASH_VERSION = 'h1';
/** What every keyed hash starts with; the key id follows up to the next colon. */
export const KEYED_HASH_PREFIX = `${HASH_VERSION}:`;
// Domain separation: the HMAC key derived from a TOTP encryption key says nothing about that key.
const HKDF_INFO = 'pbx2fa/recovery-code-hmac/v1';

/**
 * How codes stored before keyed hashes were hashed: a plain SHA-256, still accepted until the code
 * is used or the set regenerated (the plaintext is needed to hash it again, and only its user has it).
 */
export function legacyRecoveryCodeHash(input: string): string {
  return createHash('sha256')
    .update(`pbx2fa-recovery:${normalizeRecoveryCode(input)}`)
    .digest('hex');
}

interface HmacKey {
  id: string;
  key: Buffer;
}

/** The HMAC key that goes with a TOTP encryption key, under the same key id. */
function hmacKeyFor(encryptionKey: SecretBoxKey): HmacKey {
  return {
    id: encryptionKey.id,
    key: Buffer.from(hkdfSync('sha256', encryptionKey.key, Buffer.alloc(0), HKDF_INFO, 32)),
  };
}

/**
 * Recovery codes at rest: `h1:<key id>:<HMAC-SHA-256(key, user id, code)>`. Codes carry 60 random
 * bits, so a fast hash is enough against guessing through the API (bounded by the lock); the key
 * keeps a stolen table from being matched offline, and the user id makes one user's hash useless
 * for another. The keys are derived (HKDF) from the configured TOTP encryption keys, so they
 * rotate with them and operators keep one secret: a code hashed under a previous key still
 * matches while that key is configured.
 */
export class RecoveryCodeHasher {
  private readonly current: HmacKey;
  private readonly all: HmacKey[];

  constructor(current: SecretBoxKey, previous: SecretBoxKey[] = []) {
    this.current = hmacKeyFor(current);
    this.all = [this.current, ...previous.map(hmacKeyFor)];
  }

  static fromBase64Keys(currentKey: string, previousKeys: string[] = []): RecoveryCodeHasher {
    return new RecoveryCodeHasher(secretBoxKey(currentKey), previousKeys.map(secretBoxKey));
  }

  /** The stored form of a new code, under the current key. */
  hash(userId: string, code: string): string {
    return keyedHash(this.current, userId, code);
  }

  /** Every stored form a typed code may have: under each configured key, and the legacy hash. */
  candidates(userId: string, code: string): string[] {
    return [...this.all.map((key) => keyedHash(key, userId, code)), legacyRecoveryCodeHash(code)];
  }

  /** The current key's id first, then the previous ones'. */
  get configuredKeyIds(): string[] {
    return this.all.map((key) => key.id);
  }
}

function keyedHash(key: HmacKey, userId: string, code: string): string {
  const mac = createHmac('sha256', key.key)
    .update(`${userId}:${normalizeRecoveryCode(code)}`)
    .digest('base64url');
  return `${HASH_VERSION}:${key.id}:${mac}`;
}
