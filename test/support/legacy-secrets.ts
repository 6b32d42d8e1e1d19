import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * What earlier versions of the gateway stored, for upgrade tests: TOTP secrets sealed in format
 * v1 (AES-256-GCM, the user not in the AAD) and recovery codes as plain SHA-256 hashes.
 */

/** The key id a sealed value or keyed hash names: the first 12 hex digits of the key's SHA-256. */
export function keyIdOf(base64Key: string): string {
  return createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('hex').slice(0, 12);
}

export function sealV1(base64Key: string, plaintext: string): string {
  const key = Buffer.from(base64Key, 'base64');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`v1:${keyIdOf(base64Key)}`));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    keyIdOf(base64Key),
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ciphertext.toString('base64url'),
  ].join(':');
}

/** A recovery code as the earlier version hashed it. */
export function legacyRecoveryCodeHash(code: string): string {
  const normalized = code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return createHash('sha256').update(`pbx2fa-recovery:${normalized}`).digest('hex');
}
