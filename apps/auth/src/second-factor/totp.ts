import { generateSecret, generateURI, verify } from 'otplib';

/** What Google Authenticator does and honours: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
const SECRET_BYTES = 20; // 160 bits, RFC 4226's recommendation
const PASSCODE = /^\d{6}$/;

export interface TotpMatch {
  /** The 30-second step the passcode belongs to; a step is accepted once. */
  step: number;
}

export function newTotpSecret(): string {
  return generateSecret({ length: SECRET_BYTES });
}

export function otpauthUrl(issuer: string, username: string, secret: string): string {
  return generateURI({ issuer, label: username, secret, algorithm: 'sha1', digits: 6, period: TOTP_PERIOD_SECONDS });
}

/** Checks a passcode at `at`, allowing one step of drift either way. */
export async function matchPasscode(secret: string, passcode: string, at: Date): Promise<TotpMatch | null> {
  if (!PASSCODE.test(passcode)) return null;
  const result = await verify({
    secret,
    token: passcode,
    epoch: Math.floor(at.getTime() / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
  });
  if (!result.valid) return null;
  return { step: (result as { timeStep: number }).timeStep };
}
