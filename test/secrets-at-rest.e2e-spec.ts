import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expectError, type Gateway, type SignedInUser } from './support/api';
import { keyIdOf, legacyRecoveryCodeHash, sealV1 } from './support/legacy-secrets';
import { type Stack } from './support/stack';
import { base32Decode, passcodeForStep, stepAt } from './support/totp';
import {
  challengeFor,
  enroll,
  signInWithPasscode,
  startSetup,
  switchResellerTwoFactor,
  type EnrolledUser,
} from './support/two-factor';
import { query } from './support/wire';
import { useStack } from './support/e2e';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');

/**
 * Secrets at rest: what a dump of the auth schema gives away (nothing usable without the keys),
 * and rotating the TOTP key with `npm run reseal` while users keep signing in.
 */
describe('secrets at rest and key rotation', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let stack: Stack;
  let gw: Gateway;
  /** Enrolled through the API under the old key. */
  let ann: EnrolledUser;
  /** Enrolled, then given what an earlier version stored: a v1 sealed secret and SHA-256 code hashes. */
  let leo: EnrolledUser;
  /** Enrolled under the old key and never regenerates her codes. */
  let kim: EnrolledUser;
  /** Scanned a QR code but has not activated yet: a pending secret only. */
  let pat: SignedInUser & { secret: string };
  let annNewCodes: string[];

  useStack((started) => ({ stack, gw } = started), { serviceEnv: { auth: { TOTP_ENCRYPTION_KEY: oldKey } } });

  beforeAll(async () => {
    const reseller = await gw.factory.reseller();
    const admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    [ann, leo, kim] = await Promise.all(
      [1, 2, 3].map(async () => enroll(await gw.factory.signedInUser({ resellerId: reseller.id }))),
    );
    const patUser = await gw.factory.signedInUser({ resellerId: reseller.id });
    pat = { ...patUser, secret: (await startSetup(patUser)).secret };
  });

  const verify = (body: object) => gw.anon.post('/auth/login/verify', body);
  const signInWithRecoveryCode = async (user: EnrolledUser, recoveryCode: string) =>
    verify({ challengeToken: await challengeFor(gw.anon, user), recoveryCode });

  /** `npm run reseal` as an operator runs it, with the gateway's database and keys. */
  async function reseal(keys: { current: string; previous?: string }): Promise<{ code: number; output: string }> {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? ROOT,
      NODE_ENV: 'test',
      DATABASE_URL: stack.databaseUrl,
      TOTP_ENCRYPTION_KEY: keys.current,
      ...(keys.previous ? { TOTP_ENCRYPTION_PREVIOUS_KEYS: keys.previous } : {}),
    };
    try {
      const { stdout, stderr } = await run('npm', ['run', '--silent', 'reseal'], { cwd: ROOT, env, timeout: 60_000 });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
    }
  }

  /** Every column of every row of every table in the auth schema, as text (bytes as hex and base64). */
  async function dumpAuthSchema(): Promise<{ text: string; tables: Record<string, number> }> {
    const tables = await query<{ table_name: string }>(
      stack.databaseUrl,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'auth' AND table_type = 'BASE TABLE'`,
    );
    const parts: string[] = [];
    const counts: Record<string, number> = {};
    for (const { table_name } of tables) {
      const rows = await query(stack.databaseUrl, `SELECT * FROM auth."${table_name.replace(/"/g, '""')}"`);
      counts[table_name] = rows.length;
      for (const row of rows) {
        for (const value of Object.values(row)) {
          if (value === null || value === undefined) continue;
          if (Buffer.isBuffer(value))
            parts.push(value.toString('hex'), value.toString('base64'), value.toString('base64url'));
          else parts.push(typeof value === 'string' ? value : JSON.stringify(value));
        }
      }
    }
    return { text: parts.join('\n').toLowerCase(), tables: counts };
  }

  /** What would give a secret or a code away: the value in any spelling, its bytes, and SHA-256 digests of it. */
  function giveaways(user: { id: string }, secret: string, codes: string[]): string[] {
    const digests = (text: string) => {
      const digest = createHash('sha256').update(text).digest();
      return [digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')];
    };
    const raw = base32Decode(secret);
    const found = [secret, raw.toString('hex'), raw.toString('base64'), raw.toString('base64url'), ...digests(secret)];
    for (const code of codes) {
      const normalized = code.replace(/-/g, '');
      found.push(code, normalized);
      for (const text of [code, normalized, `pbx2fa-recovery:${normalized}`, `${user.id}:${normalized}`])
        found.push(...digests(text));
    }
    return found.map((value) => value.toLowerCase());
  }

  it('stores no TOTP secret, recovery code, or SHA-256 of either, in any column of any auth table', async () => {
    const dump = await dumpAuthSchema();
    // It read the tables that hold them, and the users are in it (and the bootstrap agent, who
    // set up its own authenticator at its first sign-in, as agents must).
    expect(dump.tables.two_factor_credentials).toBe(4 + 1);
    expect(dump.tables.recovery_codes).toBe(30 + 10);
    expect(dump.text).toContain(ann.username.toLowerCase());

    const leaks = [
      ...giveaways(ann, ann.authenticator.secret, ann.recoveryCodes),
      ...giveaways(leo, leo.authenticator.secret, leo.recoveryCodes),
      ...giveaways(kim, kim.authenticator.secret, kim.recoveryCodes),
      ...giveaways(pat, pat.secret, []),
    ].filter((value) => dump.text.includes(value));
    expect(leaks).toEqual([]);

    // What is there: v2 values under the configured key, and keyed hashes naming it.
    const sealed = await query<{ active_secret: string | null; pending_secret: string | null }>(
      stack.databaseUrl,
      'SELECT active_secret, pending_secret FROM auth.two_factor_credentials',
    );
    for (const value of sealed.flatMap((row) => [row.active_secret, row.pending_secret]).filter(Boolean))
      expect(value).toMatch(new RegExp(`^v2:${keyIdOf(oldKey)}:`));
    const hashes = await query<{ code_hash: string }>(stack.databaseUrl, 'SELECT code_hash FROM auth.recovery_codes');
    for (const { code_hash } of hashes) expect(code_hash).toMatch(new RegExp(`^h1:${keyIdOf(oldKey)}:`));
  });

  it('still accepts what an earlier version stored: a v1 sealed secret and SHA-256 recovery code hashes', async () => {
    await query(stack.databaseUrl, 'UPDATE auth.two_factor_credentials SET active_secret = $2 WHERE user_id = $1', [
      leo.id,
      sealV1(oldKey, leo.authenticator.secret),
    ]);
    await query(stack.databaseUrl, 'DELETE FROM auth.recovery_codes WHERE user_id = $1', [leo.id]);
    for (const code of leo.recoveryCodes) {
      await query(
        stack.databaseUrl,
        'INSERT INTO auth.recovery_codes (id, user_id, code_hash) VALUES (gen_random_uuid(), $1, $2)',
        [leo.id, legacyRecoveryCodeHash(code)],
      );
    }

    expect(await signInWithPasscode(gw.anon, leo)).toEqual(expect.any(String));
    expect((await signInWithRecoveryCode(leo, leo.recoveryCodes[0])).status).toBe(200);
  });

  it('keeps everyone signing in after the key is rotated, before and after `npm run reseal`', async () => {
    await stack.restart('auth', undefined, { TOTP_ENCRYPTION_KEY: newKey, TOTP_ENCRYPTION_PREVIOUS_KEYS: oldKey });
    expect(await signInWithPasscode(gw.anon, ann)).toEqual(expect.any(String));

    const first = await reseal({ current: newKey, previous: oldKey });
    expect(first.code).toBe(0);
    // ann's and kim's active, leo's v1 active and pat's pending secret.
    expect(first.output).toContain(
      '5 re-sealed, 0 already current, 0 changed by the gateway meanwhile (left as it wrote them), 0 could not be opened',
    );
    expect(first.output).toContain('every TOTP secret is sealed with the current key');
    expect(first.output).toContain('recovery codes cannot be re-keyed');
    expect(first.output).toContain(
      `30 unused code(s) of 3 user(s) under previous key ${keyIdOf(oldKey)}: they stop working when that key is dropped`,
    );
    expect(first.output).toContain('9 unused code(s) of 1 user(s) hashed the earlier way (plain SHA-256)');
    const secretsAndCodes = [ann, leo, kim]
      .flatMap((user) => [user.authenticator.secret, ...user.recoveryCodes])
      .concat(pat.secret);
    expect(secretsAndCodes.filter((value) => first.output.includes(value))).toEqual([]);

    const sealed = await query<{ active_secret: string | null; pending_secret: string | null }>(
      stack.databaseUrl,
      'SELECT active_secret, pending_secret FROM auth.two_factor_credentials',
    );
    const values = sealed.flatMap((row) => [row.active_secret, row.pending_secret]).filter(Boolean);
    expect(values).toHaveLength(4 + 1);
    for (const value of values) expect(value).toMatch(new RegExp(`^v2:${keyIdOf(newKey)}:`));

    const second = await reseal({ current: newKey, previous: oldKey });
    expect(second.code).toBe(0);
    expect(second.output).toContain('0 re-sealed, 5 already current');
    const unchanged = await query<{ active_secret: string | null; pending_secret: string | null }>(
      stack.databaseUrl,
      'SELECT active_secret, pending_secret FROM auth.two_factor_credentials',
    );
    expect(unchanged).toEqual(expect.arrayContaining(sealed));

    // With the old key still configured: passcodes, and recovery codes hashed under it.
    expect(await signInWithPasscode(gw.anon, leo)).toEqual(expect.any(String));
    expect((await signInWithRecoveryCode(ann, ann.recoveryCodes[0])).status).toBe(200);
  });

  it('lets the old key be dropped once users have regenerated their recovery codes', async () => {
    // ann regenerates her codes (under the new key) before the old key goes.
    const regenerated = await ann.client.post('/auth/2fa/recovery-codes', {
      currentPassword: ann.password,
      passcode: await ann.authenticator.freshPasscode(),
    });
    expect(regenerated.status).toBe(200);
    annNewCodes = regenerated.body.recoveryCodes;

    await stack.restart('auth', undefined, { TOTP_ENCRYPTION_KEY: newKey, TOTP_ENCRYPTION_PREVIOUS_KEYS: undefined });

    expect(await signInWithPasscode(gw.anon, ann)).toEqual(expect.any(String));
    expect(await signInWithPasscode(gw.anon, leo)).toEqual(expect.any(String));
    expect((await signInWithRecoveryCode(ann, annNewCodes[0])).status).toBe(200);
    // Codes stored the earlier way depend on no key.
    expect((await signInWithRecoveryCode(leo, leo.recoveryCodes[1])).status).toBe(200);
    // pat finishes the setup started under the old key.
    const activated = await pat.client.post('/auth/2fa/activate', {
      passcode: passcodeForStep(pat.secret, stepAt()),
      currentPassword: pat.password,
    });
    expect(activated.status).toBe(200);

    const report = await reseal({ current: newKey });
    expect(report.code).toBe(0);
    expect(report.output).toContain('0 re-sealed, 5 already current');
    expect(report.output).toContain('no previous keys');
    // ann's new set with one used, and pat's.
    expect(report.output).toContain('19 unused code(s) of 2 user(s) under the current key');
    expect(report.output).toContain(
      `20 unused code(s) of 2 user(s) under key ${keyIdOf(oldKey)}, which is not configured: they no longer work`,
    );
  });

  it('refuses recovery codes hashed under a key no longer configured, while the passcode works (why users regenerate first)', async () => {
    expect(await signInWithPasscode(gw.anon, kim)).toEqual(expect.any(String));
    expectError(await signInWithRecoveryCode(kim, kim.recoveryCodes[0]), 401, 'invalid_passcode');
  });

  it('refuses to start reseal with a bad key, naming the variable', async () => {
    const report = await reseal({ current: 'not-a-key' });
    expect(report.code).toBe(1);
    expect(report.output).toContain('Invalid configuration: TOTP_ENCRYPTION_KEY');
  });
});
