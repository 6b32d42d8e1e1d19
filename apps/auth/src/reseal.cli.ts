import { DataSource } from 'typeorm';
import { ConfigError } from '@pbx2fa/config';
import { dataSourceOptions, ServiceSchemas } from '@pbx2fa/persistence';
import { loadAuthConfig } from './config';
import { authEntities } from './entities';
import { authMigrations } from './migrations';
import { RecoveryCodeRepository } from './second-factor/recovery-code.repository';
import { RecoveryCodeHasher } from './second-factor/recovery-codes';
import { ResealSecrets, type ResealReport } from './second-factor/reseal-secrets';
import { SecretBox } from './second-factor/secret-box';
import { TwoFactorCredentialRepository } from './second-factor/two-factor-credential.repository';

const UNDEFINED_TABLE = '42P01';

/**
 * `npm run reseal`: re-seals every TOTP secret with the current TOTP_ENCRYPTION_KEY, so the keys
 * in TOTP_ENCRYPTION_PREVIOUS_KEYS can be dropped (README, "Key rotation"). Reads the gateway's
 * environment with the gateway's checks; prints counts and key ids, never a secret. Exits 0 when
 * every secret is under the current key, 2 when some are not (they are listed), 1 when it could not run.
 */
async function main(): Promise<number> {
  const config = loadAuthConfig(process.env);
  if (config.usingDevelopmentSecrets.totp)
    process.stderr.write('reseal: TOTP_ENCRYPTION_KEY is not set: using the DEVELOPMENT encryption key.\n');
  const box = SecretBox.fromBase64Keys(config.TOTP_ENCRYPTION_KEY, config.previousTotpKeys);
  const hasher = RecoveryCodeHasher.fromBase64Keys(config.TOTP_ENCRYPTION_KEY, config.previousTotpKeys);
  // No migrations: the gateway owns the schema; this only rewrites values in it.
  const dataSource = new DataSource(
    dataSourceOptions({
      url: config.DATABASE_URL,
      schema: ServiceSchemas.auth,
      entities: authEntities,
      migrations: authMigrations,
      poolSize: 2,
    }),
  );
  await dataSource.initialize();
  try {
    const job = new ResealSecrets(
      dataSource,
      new TwoFactorCredentialRepository(dataSource),
      new RecoveryCodeRepository(dataSource, hasher),
      box,
    );
    const report = await job.run();
    process.stdout.write(describe(report, hasher));
    return report.remaining === 0 && report.unreadable.length === 0 ? 0 : 2;
  } finally {
    await dataSource.destroy();
  }
}

function describe(report: ResealReport, hasher: RecoveryCodeHasher): string {
  const [current, ...previous] = hasher.configuredKeyIds;
  const lines = [
    `current key ${current}${previous.length ? `, previous key(s) ${previous.join(', ')}` : ', no previous keys'}`,
    `TOTP secrets (active and pending): ${report.resealed} re-sealed, ${report.alreadyCurrent} already current, ` +
      `${report.changedMeanwhile} changed by the gateway meanwhile (left as it wrote them), ${report.unreadable.length} could not be opened`,
  ];
  for (const item of report.unreadable) lines.push(`  user ${item.userId} ${item.column}: ${item.reason}`);
  lines.push(
    report.remaining === 0
      ? 'every TOTP secret is sealed with the current key: previous keys are no longer needed for TOTP secrets'
      : `${report.remaining} TOTP secret(s) are still not sealed with the current key: keep the previous keys and run again`,
  );
  if (report.unreadable.length > 0)
    lines.push(
      "secrets that do not open cannot be used to sign in: reset those users' authenticators (a reset_user_2fa ticket)",
    );
  lines.push('recovery codes cannot be re-keyed: they are stored only as hashes, and only their users have the codes');
  if (report.recoveryCodes.length === 0) lines.push('  no unused recovery codes');
  for (const { keyId, codes, users } of report.recoveryCodes) {
    const what = `  ${codes} unused code(s) of ${users} user(s)`;
    if (keyId === null)
      lines.push(
        `${what} hashed the earlier way (plain SHA-256): they work until used or regenerated, whatever the keys`,
      );
    else if (keyId === current) lines.push(`${what} under the current key`);
    else if (previous.includes(keyId)) {
      lines.push(
        `${what} under previous key ${keyId}: they stop working when that key is dropped; until then those users regenerate their codes (Profile, new recovery codes)`,
      );
    } else
      lines.push(
        `${what} under key ${keyId}, which is not configured: they no longer work; those users regenerate their codes`,
      );
  }
  return `${lines.join('\n')}\n`;
}

main().then(
  (code) => process.exit(code),
  (error: Error & { code?: string }) => {
    const hint = error.code === UNDEFINED_TABLE ? ' (start the auth service once first: it creates the tables)' : '';
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `reseal: ${error.message}${hint}\n`);
    process.exit(1);
  },
);
