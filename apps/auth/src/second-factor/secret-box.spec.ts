import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { keyId, SealedSecretError, SecretBox } from './secret-box';

const newKey = () => randomBytes(32).toString('base64');
const alice = randomUUID();
const bob = randomUUID();

/** A value as the box sealed before users went into the AAD (format v1), for upgrade tests. */
function sealV1(encodedKey: string, plaintext: string): string {
  const key = Buffer.from(encodedKey, 'base64');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`v1:${keyId(key)}`));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    keyId(key),
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ciphertext.toString('base64url'),
  ].join(':');
}

describe('SecretBox', () => {
  it('opens what it sealed for the same user, in the current format v2', () => {
    const box = SecretBox.fromBase64Keys(newKey());
    const sealed = box.seal('JBSWY3DPEHPK3PXP', alice);
    expect(sealed).toMatch(/^v2:[0-9a-f]{12}:/);
    expect(box.isCurrent(sealed)).toBe(true);
    expect(box.open(sealed, alice)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('never stores the plaintext and never seals twice alike', () => {
    const box = SecretBox.fromBase64Keys(newKey());
    const first = box.seal('JBSWY3DPEHPK3PXP', alice);
    expect(first).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP', alice)).not.toBe(first);
  });

  it("refuses a value sealed for one user when it is read as another user's", () => {
    const box = SecretBox.fromBase64Keys(newKey());
    const sealedForAlice = box.seal('JBSWY3DPEHPK3PXP', alice);
    expect(() => box.open(sealedForAlice, bob)).toThrow(SealedSecretError);
    expect(() => box.open(sealedForAlice, bob)).toThrow(/sealed for another user/);
  });

  it('still opens a value sealed in the earlier format v1, for any user, and does not count it as current', () => {
    const key = newKey();
    const box = SecretBox.fromBase64Keys(key);
    const legacy = sealV1(key, 'JBSWY3DPEHPK3PXP');
    expect(box.open(legacy, alice)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.isCurrent(legacy)).toBe(false);
  });

  it('opens values stored by earlier versions (golden values: a format change that breaks stored secrets fails here)', () => {
    // Key bytes 0..31. The v1 value was sealed by the SecretBox before the user went into the AAD;
    // the v2 value by this one, for the user below. Never regenerate these: they are what databases hold.
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64');
    const box = SecretBox.fromBase64Keys(newKey(), [key]);
    const v1 = 'v1:630dcd2966c4:giKbqpFFy3guunIC:-KPXv6zVTtDHeRpt63-ltg:wPRiZLjLnQjYIVW-CMmtCYso1b569mJOcuZqXy7Xn2s';
    const v2 = 'v2:630dcd2966c4:c4_HZx7nWMipaEl5:7nq_XIjM0chuQbp1DxUwVQ:RsYcbnf5gZVdOhPBmlXif480HpOZdBrt-eJcR86zgaI';
    const v2User = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
    expect(box.open(v1, alice)).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(box.open(v2, v2User)).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(() => box.open(v2, alice)).toThrow(SealedSecretError);
  });

  it('opens a secret sealed with a previous key after rotation, and reseals it under the new key', () => {
    const oldKey = newKey();
    const sealed = SecretBox.fromBase64Keys(oldKey).seal('secret', alice);
    const rotated = SecretBox.fromBase64Keys(newKey(), [oldKey]);
    expect(rotated.open(sealed, alice)).toBe('secret');
    expect(rotated.isCurrent(sealed)).toBe(false);
    expect(rotated.isCurrent(rotated.seal('secret', alice))).toBe(true);
  });

  it('refuses a secret sealed with a key it does not have', () => {
    const sealed = SecretBox.fromBase64Keys(newKey()).seal('secret', alice);
    expect(() => SecretBox.fromBase64Keys(newKey()).open(sealed, alice)).toThrow(/not configured/);
  });

  it.each([
    ['ciphertext', 4, Buffer.from('tampered').toString('base64url')],
    ['tag', 3, Buffer.alloc(16).toString('base64url')],
    ['iv', 2, Buffer.alloc(12).toString('base64url')],
  ])('refuses a secret whose %s was changed', (_part, index, replacement) => {
    const box = SecretBox.fromBase64Keys(newKey());
    const parts = box.seal('secret', alice).split(':');
    parts[index] = replacement;
    expect(() => box.open(parts.join(':'), alice)).toThrow(SealedSecretError);
    expect(() => box.open(parts.join(':'), alice)).toThrow(/does not open/);
  });

  it('refuses a v2 value relabelled v1 (the user cannot be taken out of the AAD)', () => {
    const box = SecretBox.fromBase64Keys(newKey());
    const relabelled = box.seal('secret', alice).replace(/^v2:/, 'v1:');
    expect(() => box.open(relabelled, alice)).toThrow(SealedSecretError);
  });

  it('refuses a truncated authentication tag (the tag length is pinned at 16 bytes)', () => {
    const box = SecretBox.fromBase64Keys(newKey());
    const parts = box.seal('secret', alice).split(':');
    parts[3] = Buffer.from(parts[3], 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.open(parts.join(':'), alice)).toThrow(/tag length/);
  });

  it('refuses what is not a sealed value', () => {
    const box = SecretBox.fromBase64Keys(newKey());
    for (const value of ['', 'JBSWY3DPEHPK3PXP', 'v3:a:b:c:d', 'v2:a:b:c:d:e']) {
      expect(() => box.open(value, alice)).toThrow(/not a sealed secret/);
    }
  });
});
