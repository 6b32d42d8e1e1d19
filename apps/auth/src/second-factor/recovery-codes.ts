import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
// Crockford-style alphabet: no I, L, O, U, so codes read aloud and typed back without confusion.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 3;
const GROUP_LENGTH = 4;

/** Ten codes of 60 random bits each, shown once, like `7K2M-QX9D-4HWT`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () =>
    Array.from({ length: GROUPS }, () => Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')).join('-'),
  );
}

/** Accepts what people type: any case, with or without dashes and spaces. */
export function normalizeRecoveryCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/**
 * Codes carry 60 random bits, so a fast hash is enough: guessing is bounded by the lock,
 * and a stolen table reveals no usable code.
 */
export function hashRecoveryCode(input: string): string {
  return createHash('sha256').update(`pbx2fa-recovery:${normalizeRecoveryCode(input)}`).digest('hex');
}
