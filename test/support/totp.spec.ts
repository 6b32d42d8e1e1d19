import { base32Decode, hotp, passcodeForStep, stepAt, wrongPasscode } from './totp';

/**
 * The e2e tests compute passcodes with their own RFC 6238 code, not the service's otplib; this
 * checks that code against the RFCs' published vectors.
 */
describe("the tests' own TOTP", () => {
  // RFC 6238 appendix B uses the ASCII seed "12345678901234567890" for SHA-1.
  const seed = Buffer.from('12345678901234567890', 'ascii');
  const seedBase32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it('decodes base32 as authenticator apps do', () => {
    expect(base32Decode(seedBase32)).toEqual(seed);
    expect(base32Decode(seedBase32.toLowerCase())).toEqual(seed);
    expect(base32Decode('MZXW6===')).toEqual(Buffer.from('foo'));
    expect(base32Decode('MZXW6YTBOI')).toEqual(Buffer.from('foobar'));
  });

  it('matches the RFC 6238 SHA-1 test vectors (8 digits)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, expected] of vectors) {
      expect(passcodeForStep(seedBase32, stepAt(seconds * 1000), 8)).toBe(expected);
    }
  });

  it('gives the 6-digit code Google Authenticator shows for T = 59: 287082', () => {
    expect(passcodeForStep(seedBase32, stepAt(59_000))).toBe('287082');
  });

  it('matches the RFC 4226 HOTP test vectors', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, counter) => hotp(seed, counter))).toEqual(expected);
  });

  it('makes up a wrong passcode that no nearby step shows', () => {
    const wrong = wrongPasscode(seedBase32);
    expect(wrong).toMatch(/^\d{6}$/);
    const now = stepAt();
    for (let offset = -2; offset <= 2; offset++) expect(passcodeForStep(seedBase32, now + offset)).not.toBe(wrong);
  });
});
