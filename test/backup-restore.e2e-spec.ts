import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { api, connect, type Gateway } from './support/api';
import { dropDatabase } from './support/infrastructure';
import { startStack, type Stack } from './support/stack';
import { enroll, signInWithPasscode, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';

const run = promisify(execFile);

/** The three service schemas, as README "Backups and upgrades" dumps them. */
const SCHEMAS = ['auth', 'tickets', 'reseller_settings'];

/**
 * The README's backup and restore, done for real: pg_dump of a running stack's schemas, restored
 * into a new database, and the gateway started there with the same two secrets (kept apart from
 * the dump) signs an enrolled user in with password and passcode.
 */
describe('backup and restore', () => {
  // Given to the gateway explicitly: they live in the secret store, not in the database.
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const restoredDatabase = `pbx2fa_test_restored_${randomBytes(5).toString('hex')}`;
  const restoredUrl = `postgres://postgres@127.0.0.1:5432/${restoredDatabase}`;
  const workDir = mkdtempSync(join(tmpdir(), 'pbx2fa-backup-'));
  const dumpFile = join(workDir, 'pbx2fa.dump');
  let original: Stack;
  let restored: Stack | undefined;
  let gw: Gateway;
  let user: EnrolledUser;
  let tokenBeforeBackup: string;

  beforeAll(async () => {
    original = await startStack({ serviceEnv: { auth: secrets } });
    gw = await connect(original);
    const reseller = await gw.factory.reseller();
    const admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    user = await enroll(await gw.factory.signedInUser({ resellerId: reseller.id }));
    tokenBeforeBackup = await signInWithPasscode(gw.anon, user);
  });

  afterAll(async () => {
    await restored?.stop();
    await original?.stop();
    await dropDatabase(restoredDatabase);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('dumps the three schemas while the services run, with no secret readable in the dump', async () => {
    await run(
      'pg_dump',
      ['-Fc', ...SCHEMAS.flatMap((schema) => ['-n', schema]), '-f', dumpFile, original.databaseUrl],
      { timeout: 60_000 },
    );
    // The dump as SQL text, to look inside it.
    const { stdout: sql } = await run('pg_restore', ['-f', '-', dumpFile], { maxBuffer: 64 * 1024 * 1024 });
    for (const schema of SCHEMAS) expect(sql).toContain(`CREATE SCHEMA ${schema};`);
    expect(sql).toContain(user.username);
    expect(sql).not.toContain(secrets.JWT_SECRET);
    expect(sql).not.toContain(secrets.TOTP_ENCRYPTION_KEY);
    // The authenticator's secret is only there sealed by TOTP_ENCRYPTION_KEY.
    expect(sql).not.toContain(user.authenticator.secret);
  });

  it('restores it into a new database where the gateway, given the same secrets, signs the user in with their authenticator', async () => {
    await run('createdb', ['-h', '127.0.0.1', '-U', 'postgres', restoredDatabase]);
    await run('pg_restore', ['--no-owner', '--exit-on-error', '-d', restoredUrl, dumpFile], { timeout: 60_000 });

    restored = await startStack({
      services: ['auth'],
      serviceEnv: { auth: { ...secrets, DATABASE_URL: restoredUrl } },
    });
    const anon = api(restored.authUrl);

    // A session made before the backup is still valid: sessions are in the dump, the JWT secret is the same.
    const me = await anon.as(tokenBeforeBackup).get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: user.username });

    // Password, then a passcode from the phone: the sealed secret opened with the kept key.
    const token = await signInWithPasscode(anon, user);
    const signedIn = await anon.as(token).get('/auth/me');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ username: user.username });
  });
});
