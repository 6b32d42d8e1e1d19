import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { keyId, SealedSecretError, SecretBox, secretBoxKey } from './secret-box';
import fixture from './fixtures/sealed-secrets.json';

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

  describe('values sealed by earlier versions (fixtures/sealed-secrets.json: never regenerated)', () => {
    const box = SecretBox.fromBase64Keys(newKey(), [fixture.key]);

    it.each(fixture.sealed)('still opens the $format value under the key it names', ({ value, userId }) => {
      expect(box.open(value, userId ?? alice)).toBe(fixture.plaintext);
    });

    it('opens the v2 value for its own user only', () => {
      const v2 = fixture.sealed.find((entry) => entry.format === 'v2')!;
      expect(() => box.open(v2.value, alice)).toThrow(/sealed for another user/);
    });

    it('names the fixture key by the first 12 hex digits of its SHA-256', () => {
      expect(keyId(Buffer.from(fixture.key, 'base64'))).toBe(fixture.keyId);
      expect(secretBoxKey(fixture.key)).toEqual({ id: fixture.keyId, key: Buffer.from(fixture.key, 'base64') });
    });
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

  it.each([
    ['an unknown version', 0, 'v3'],
    ['no version', 0, ''],
    ['no iv', 2, ''],
    ['no tag', 3, ''],
    ['no ciphertext', 4, ''],
  ])('refuses a value of its own key with %s as not a sealed secret', (_case, index, replacement) => {
    const box = SecretBox.fromBase64Keys(newKey());
    const parts = box.seal('secret', alice).split(':');
    parts[index] = replacement;
    expect(() => box.open(parts.join(':'), alice)).toThrow(new SealedSecretError('not a sealed secret'));
  });

  it('refuses a value with a part left off, or one too many', () => {
    const box = SecretBox.fromBase64Keys(newKey());
    const sealed = box.seal('secret', alice);
    expect(() => box.open(sealed.split(':').slice(0, 4).join(':'), alice)).toThrow(/not a sealed secret/);
    expect(() => box.open(`${sealed}:`, alice)).toThrow(/not a sealed secret/);
    expect(box.open(sealed, alice)).toBe('secret');
  });

  it('names its errors SealedSecretError, with the key a value needs', () => {
    const key = newKey();
    const sealed = SecretBox.fromBase64Keys(key).seal('secret', alice);
    const error = (() => {
      try {
        SecretBox.fromBase64Keys(newKey()).open(sealed, alice);
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(SealedSecretError);
    expect(error?.name).toBe('SealedSecretError');
    expect(error?.message).toBe(
      `the secret was sealed with key ${keyId(Buffer.from(key, 'base64'))}, which is not configured`,
    );
  });

  it('seals with a 12-byte iv and a 16-byte tag under the current key, and says so in its prefix', () => {
    const key = newKey();
    const box = SecretBox.fromBase64Keys(key, [newKey()]);
    const [version, id, iv, tag] = box.seal('secret', alice).split(':');
    expect([version, id]).toEqual(['v2', keyId(Buffer.from(key, 'base64'))]);
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(box.currentPrefix).toBe(`v2:${id}:`);
  });

  it('takes only 32-byte keys', () => {
    for (const length of [16, 31, 33]) {
      expect(() => SecretBox.fromBase64Keys(randomBytes(length).toString('base64'))).toThrow(
        'a TOTP encryption key must be 32 bytes',
      );
    }
  });
});
