import { base32Decode, passcodeForStep } from '../../../../test/support/totp';
import { matchPasscode, newTotpSecret, otpauthUrl, TOTP_PERIOD_SECONDS } from './totp';

// RFC 6238 appendix B: the SHA-1 key is the ASCII "12345678901234567890"; six digits are the last
// six of the eight the RFC prints (94287082 at 59 s, 07081804 at 1111111109 s).
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const at = (seconds: number) => new Date(seconds * 1000);
/** The passcode an authenticator shows during `step`, computed without otplib (test/support/totp). */
const code = (step: number, secret = RFC_SECRET) => passcodeForStep(secret, step);

describe('TOTP passcodes', () => {
  it('matches the RFC 6238 test vectors', async () => {
    expect(await matchPasscode(RFC_SECRET, '287082', at(59))).toEqual({ step: 1 });
    expect(await matchPasscode(RFC_SECRET, '081804', at(1111111109))).toEqual({ step: 37037036 });
  });

  it('names the step the passcode belongs to, one step either side of now', async () => {
    const now = 1_800_000_015; // 15 s into step 60000000
    const step = Math.floor(now / TOTP_PERIOD_SECONDS);
    expect(await matchPasscode(RFC_SECRET, code(step), at(now))).toEqual({ step });
    expect(await matchPasscode(RFC_SECRET, code(step - 1), at(now))).toEqual({ step: step - 1 });
    expect(await matchPasscode(RFC_SECRET, code(step + 1), at(now))).toEqual({ step: step + 1 });
  });

  it('refuses a passcode two steps away, earlier or later', async () => {
    const now = 1_800_000_015;
    const step = Math.floor(now / TOTP_PERIOD_SECONDS);
    expect(await matchPasscode(RFC_SECRET, code(step - 2), at(now))).toBeNull();
    expect(await matchPasscode(RFC_SECRET, code(step + 2), at(now))).toBeNull();
  });

  it('counts a moment by the second it is in (59.9 s is still step 1)', async () => {
    // Step 0's passcode is one step old at 59.9 s, two steps old at 60 s.
    expect(await matchPasscode(RFC_SECRET, code(0), new Date(59_900))).toEqual({ step: 0 });
    expect(await matchPasscode(RFC_SECRET, code(0), new Date(60_000))).toBeNull();
  });

  it('refuses a wrong passcode', async () => {
    const right = code(1);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(await matchPasscode(RFC_SECRET, wrong, at(59))).toBeNull();
  });

  it.each([
    ['five digits', (right: string) => right.slice(1)],
    ['seven digits', (right: string) => `${right}0`],
    ['a letter before it', (right: string) => `a${right}`],
    ['a letter after it', (right: string) => `${right}a`],
    ['a space inside', (right: string) => `${right.slice(0, 3)} ${right.slice(3)}`],
    ['nothing', () => ''],
  ])('refuses what is not six digits (%s) without asking the TOTP library', async (_case, make) => {
    expect(await matchPasscode(RFC_SECRET, make(code(1)), at(59))).toBeNull();
  });

  it('makes a new 160-bit base32 secret each time', () => {
    const first = newTotpSecret();
    expect(first).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(first)).toHaveLength(20);
    expect(newTotpSecret()).not.toBe(first);
  });

  it('writes the otpauth URL Google Authenticator reads: issuer, account and secret, SHA-1, 6 digits, 30 s', () => {
    const url = new URL(otpauthUrl('pbx2fa', 'alice', RFC_SECRET));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/pbx2fa:alice');
    expect(url.searchParams.get('secret')).toBe(RFC_SECRET);
    expect(url.searchParams.get('issuer')).toBe('pbx2fa');
    // Absent parameters mean the defaults (Key Uri Format); present ones must be those defaults.
    expect(url.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
    expect(url.searchParams.get('digits') ?? '6').toBe('6');
    expect(url.searchParams.get('period') ?? '30').toBe('30');
  });
});
