import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes';

describe('recovery codes', () => {
  it('makes ten distinct codes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  });

  it('matches a code typed in lower case without dashes', () => {
    const [code] = newRecoveryCodes(1);
    expect(hashRecoveryCode(code.toLowerCase().replace(/-/g, ' '))).toBe(hashRecoveryCode(code));
  });

  it('reads a typed letter O as zero', () => {
    expect(normalizeRecoveryCode('o0o0-1111-2222')).toBe('000011112222');
  });

  it('gives different codes different hashes', () => {
    expect(hashRecoveryCode('AAAA-BBBB-CCCC')).not.toBe(hashRecoveryCode('AAAA-BBBB-CCCD'));
  });
});
