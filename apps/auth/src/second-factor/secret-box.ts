import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export interface SecretBoxKey {
  id: string;
  key: Buffer;
}

/** A key's id: the first bytes of its SHA-256, so a stored secret names the key that sealed it. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
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
    const toKey = (encoded: string): SecretBoxKey => {
      const key = Buffer.from(encoded, 'base64');
      if (key.length !== 32) throw new Error('a TOTP encryption key must be 32 bytes');
      return { id: keyId(key), key };
    };
    return new SecretBox(toKey(currentKey), previousKeys.map(toKey));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}:${this.current.id}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(':');
  }

  open(sealed: string): string {
    const [version, id, iv, tag, ciphertext] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || !ciphertext) throw new Error('not a sealed secret');
    const key = this.byId.get(id);
    if (!key) throw new Error(`the secret was sealed with key ${id}, which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${VERSION}:${id}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

}
