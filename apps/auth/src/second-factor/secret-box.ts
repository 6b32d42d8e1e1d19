import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Formats of a sealed value, `<version>:<key id>:<iv>:<tag>:<ciphertext>`:
 * - `v2` (sealed now): the AAD names the version, the key and the user, so a value copied to
 *   another user's row does not open;
 * - `v1` (sealed before): the AAD names the version and the key only. It still opens, so an
 *   upgrade locks nobody out; `npm run reseal` turns it into `v2`.
 */
const CURRENT_VERSION = 'v2';
const LEGACY_VERSION = 'v1';
const AUTH_TAG_LENGTH = 16;

export interface SecretBoxKey {
  id: string;
  key: Buffer;
}

/** A key's id: the first bytes of its SHA-256, so a stored secret names the key that sealed it. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** Reads a base64 key from the configuration; 32 bytes or nothing. */
export function secretBoxKey(encoded: string): SecretBoxKey {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new Error('a TOTP encryption key must be 32 bytes');
  return { id: keyId(key), key };
}

/** A sealed value that does not open: malformed, tampered, sealed for another user, or under a key not configured. */
export class SealedSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedSecretError';
  }
}

/**
 * AES-256-GCM for TOTP secrets at rest. Seals with the current key; opens with whichever
 * configured key the sealed value names, so keys can be rotated without a flag day.
 */
export class SecretBox {
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly current: SecretBoxKey,
    previous: SecretBoxKey[] = [],
  ) {
    this.byId = new Map([current, ...previous].map((entry) => [entry.id, entry.key]));
  }

  static fromBase64Keys(currentKey: string, previousKeys: string[] = []): SecretBox {
    return new SecretBox(secretBoxKey(currentKey), previousKeys.map(secretBoxKey));
  }

  seal(plaintext: string, userId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, { authTagLength: AUTH_TAG_LENGTH });
    cipher.setAAD(additionalData(CURRENT_VERSION, this.current.id, userId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      CURRENT_VERSION,
      this.current.id,
      iv.toString('base64url'),
      tag.toString('base64url'),
      ciphertext.toString('base64url'),
    ].join(':');
  }

  /** Opens a value sealed for `userId`; throws SealedSecretError otherwise. */
  open(sealed: string, userId: string): string {
    const [version, id, iv, tag, ciphertext, extra] = sealed.split(':');
    if (
      (version !== CURRENT_VERSION && version !== LEGACY_VERSION) ||
      !iv ||
      !tag ||
      !ciphertext ||
      extra !== undefined
    ) {
      throw new SealedSecretError('not a sealed secret');
    }
    const key = this.byId.get(id);
    if (!key) throw new SealedSecretError(`the secret was sealed with key ${id}, which is not configured`);
    const tagBytes = Buffer.from(tag, 'base64url');
    if (tagBytes.length !== AUTH_TAG_LENGTH)
      throw new SealedSecretError('the sealed secret does not open (wrong tag length)');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
        authTagLength: AUTH_TAG_LENGTH,
      });
      decipher.setAAD(additionalData(version, id, userId));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedSecretError('the sealed secret does not open: it was changed, or sealed for another user');
    }
  }

  /** How every value `seal` makes now begins: current format, current key. */
  get currentPrefix(): string {
    return `${CURRENT_VERSION}:${this.current.id}:`;
  }

  /** Whether a value is sealed the way `seal` seals now. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(this.currentPrefix);
  }
}

function additionalData(version: string, id: string, userId: string): Buffer {
  return Buffer.from(version === LEGACY_VERSION ? `${version}:${id}` : `${version}:${id}:${userId}`);
}
