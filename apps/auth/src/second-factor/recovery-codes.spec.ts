import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { legacyRecoveryCodeHash, newRecoveryCodes, normalizeRecoveryCode, RecoveryCodeHasher } from './recovery-codes';
import { keyId } from './secret-box';

const newKey = () => randomBytes(32).toString('base64');
const alice = randomUUID();
const bob = randomUUID();

describe('recovery codes', () => {
  it('makes ten distinct codes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  });

  it('reads a typed letter O as zero', () => {
    expect(normalizeRecoveryCode('o0o0-1111-2222')).toBe('000011112222');
  });

  describe('keyed hashes', () => {
    const hasher = RecoveryCodeHasher.fromBase64Keys(newKey());

    it('matches a code typed in lower case, with spaces for dashes', () => {
      const [code] = newRecoveryCodes(1);
      expect(hasher.hash(alice, code.toLowerCase().replace(/-/g, ' '))).toBe(hasher.hash(alice, code));
    });

    it('matches a code with I or L typed for 1', () => {
      expect(hasher.hash(alice, 'i1l1-AAAA-BBBB')).toBe(hasher.hash(alice, '1111-AAAA-BBBB'));
    });

    it('gives different codes different hashes', () => {
      expect(hasher.hash(alice, 'AAAA-BBBB-CCCC')).not.toBe(hasher.hash(alice, 'AAAA-BBBB-CCCD'));
    });

    it("gives the same code different hashes for different users, so one user's hash is useless for another", () => {
      expect(hasher.hash(alice, 'AAAA-BBBB-CCCC')).not.toBe(hasher.hash(bob, 'AAAA-BBBB-CCCC'));
      expect(hasher.candidates(bob, 'AAAA-BBBB-CCCC')).not.toContain(hasher.hash(alice, 'AAAA-BBBB-CCCC'));
    });

    it('cannot be matched from a dump without the key: no plain SHA-256 of the code, however prefixed, is the stored hash', () => {
      const code = 'AAAA-BBBB-CCCC';
      const stored = hasher.hash(alice, code);
      const mac = stored.split(':')[2];
      for (const text of [
        code,
        normalizeRecoveryCode(code),
        `pbx2fa-recovery:${normalizeRecoveryCode(code)}`,
        `${alice}:${normalizeRecoveryCode(code)}`,
      ]) {
        const sha = createHash('sha256').update(text).digest();
        expect(stored).not.toContain(sha.toString('hex'));
        expect(mac).not.toBe(sha.toString('base64url'));
      }
      expect(stored).not.toBe(legacyRecoveryCodeHash(code));
      // Another server key gives another hash: the key, not the code alone, decides it.
      expect(RecoveryCodeHasher.fromBase64Keys(newKey()).hash(alice, code)).not.toBe(stored);
    });

    it('names the key it was made with, and its MAC key is not the encryption key (HKDF with its own label)', () => {
      const key = newKey();
      const stored = RecoveryCodeHasher.fromBase64Keys(key).hash(alice, 'AAAA-BBBB-CCCC');
      expect(stored).toMatch(new RegExp(`^h1:${keyId(Buffer.from(key, 'base64'))}:[A-Za-z0-9_-]{43}$`));
    });

    it('keeps matching codes hashed under a previous key while it is configured', () => {
      const oldKey = newKey();
      const stored = RecoveryCodeHasher.fromBase64Keys(oldKey).hash(alice, 'AAAA-BBBB-CCCC');
      expect(RecoveryCodeHasher.fromBase64Keys(newKey(), [oldKey]).candidates(alice, 'aaaa bbbb cccc')).toContain(
        stored,
      );
      expect(RecoveryCodeHasher.fromBase64Keys(newKey()).candidates(alice, 'AAAA-BBBB-CCCC')).not.toContain(stored);
    });

    it('still matches codes stored as plain SHA-256 hashes before keyed hashes (golden value)', () => {
      // What the earlier version stored for 7K2M-QX9D-4HWT.
      const legacy = '612901cf025a30234abf1383dd231df7c59c9be59711bf573d380e8396038a83';
      expect(legacyRecoveryCodeHash('7K2M-QX9D-4HWT')).toBe(legacy);
      expect(hasher.candidates(alice, '7k2m qx9d 4hwt')).toContain(legacy);
    });

    it('hashes as earlier versions did (golden value: a change that breaks stored codes fails here)', () => {
      const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64');
      const user = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
      const stored = 'h1:630dcd2966c4:Bef2nb9DzRMobQoAmPhl9lwa9xZMfqfP9E-IPK8AmsM';
      expect(RecoveryCodeHasher.fromBase64Keys(newKey(), [key]).candidates(user, '7k2m-qx9d-4hwt')).toContain(stored);
    });
  });
});
