import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

const newKey = () => randomBytes(32).toString('base64');

describe('SecretBox', () => {
  it('opens what it sealed', () => {
    const box = SecretBox.fromBase64Keys(newKey());
    expect(box.open(box.seal('JBSWY3DPEHPK3PXP'))).toBe('JBSWY3DPEHPK3PXP');
  });

  it('never stores the plaintext and never seals twice alike', () => {
    const box = SecretBox.fromBase64Keys(newKey());
    const first = box.seal('JBSWY3DPEHPK3PXP');
    expect(first).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP')).not.toBe(first);
  });

  it('opens a secret sealed with a previous key after rotation', () => {
    const oldKey = newKey();
    const sealed = SecretBox.fromBase64Keys(oldKey).seal('secret');
    const rotated = SecretBox.fromBase64Keys(newKey(), [oldKey]);
    expect(rotated.open(sealed)).toBe('secret');
  });

  it('refuses a secret sealed with a key it does not have', () => {
    const sealed = SecretBox.fromBase64Keys(newKey()).seal('secret');
    expect(() => SecretBox.fromBase64Keys(newKey()).open(sealed)).toThrow(/not configured/);
  });

  it('refuses a tampered secret', () => {
    const box = SecretBox.fromBase64Keys(newKey());
    const parts = box.seal('secret').split(':');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow();
  });
});
