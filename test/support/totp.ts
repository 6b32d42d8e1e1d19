import { createHmac } from 'node:crypto';

/**
 * RFC 6238 TOTP, written here on node:crypto so the tests do not share the code under test
 * (which uses otplib): HMAC-SHA1, 30-second steps, dynamic truncation (RFC 4226 §5.3).
 */
export const STEP_SECONDS = 30;
const STEP_MS = STEP_SECONDS * 1000;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, as authenticator apps read the `secret` parameter: any case, no padding needed. */
export function base32Decode(input: string): Buffer {
  const clean = input.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of clean) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${JSON.stringify(char)} in ${JSON.stringify(input)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** RFC 4226 HOTP for a key and a counter. */
export function hotp(key: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The 30-second step a moment belongs to. */
export function stepAt(ms: number = Date.now()): number {
  return Math.floor(ms / STEP_MS);
}

/** The passcode an authenticator shows for a base32 secret during `step`. */
export function passcodeForStep(secret: string, step: number, digits = 6): string {
  return hotp(base32Decode(secret), step, digits);
}

/** The passcode an authenticator shows now (or `offset` steps away from now). */
export function currentPasscode(secret: string, offset = 0): string {
  return passcodeForStep(secret, stepAt() + offset);
}

/** Six digits that no step from two before to two after now would show: surely wrong. */
export function wrongPasscode(secret: string): string {
  const now = stepAt();
  const near = new Set([-2, -1, 0, 1, 2].map((offset) => passcodeForStep(secret, now + offset)));
  let candidate = (Number(passcodeForStep(secret, now)) + 500_000) % 1_000_000;
  while (near.has(String(candidate).padStart(6, '0'))) candidate = (candidate + 1) % 1_000_000;
  return String(candidate).padStart(6, '0');
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Waits until the clock is in `step` or later; the only waiting these tests do. */
export async function untilStep(step: number): Promise<void> {
  while (stepAt() < step) await pause(Math.min(step * STEP_MS - Date.now() + 20, STEP_MS));
}

/**
 * When fewer than `marginMs` are left in the current step, waits for the next one, so a test
 * that depends on exactly which step the server sees is not decided by a boundary in flight.
 */
export async function awayFromStepEdge(marginMs = 3000): Promise<void> {
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < marginMs) await untilStep(stepAt() + 1);
}

/**
 * A user's authenticator app as the tests hold it: the secret, and the last step whose passcode
 * was handed to the server, because a step is accepted only once (RFC 6238 §5.2).
 */
export class Authenticator {
  constructor(
    readonly secret: string,
    public lastUsedStep: number,
  ) {}

  /**
   * A passcode the server has not seen yet and accepts now: the current step's, else the next
   * step's (one step of drift), else — both used — it waits for the clock to move on.
   */
  async freshPasscode(): Promise<string> {
    await untilStep(this.lastUsedStep);
    const step = Math.max(stepAt(), this.lastUsedStep + 1);
    this.lastUsedStep = step;
    return passcodeForStep(this.secret, step);
  }

  /** Records that the passcode of `step` was handed to the server. */
  used(step: number): void {
    this.lastUsedStep = Math.max(this.lastUsedStep, step);
  }
}
