import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceName } from '@pbx2fa/contracts';
import { dropRoles } from './infrastructure';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'dist', 'libs', 'persistence', 'src', 'database-roles.cli.js');

/** The variable prefix of each service's URL for `npm run database-roles`. */
const PREFIXES: Record<ServiceName, string> = {
  auth: 'AUTH',
  tickets: 'TICKETS',
  'reseller-settings': 'RESELLER_SETTINGS',
};

export interface DatabaseRoles {
  /** Each service's role (unique to this database: roles are the cluster's, shared by every test). */
  roles: Record<ServiceName, string>;
  /** Each service's DATABASE_URL: its own role, with its password. */
  urls: Record<ServiceName, string>;
  /** What the command printed. */
  output: string;
  /** Drops the roles; after the database they own things in is dropped. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Runs `npm run database-roles` — the command compose's one-shot `database-roles` service runs —
 * as the superuser of `adminUrl`'s cluster, making a role of its own for each service in
 * `database`, named after it, with a new password.
 */
export async function createDatabaseRoles(adminUrl: string, database: string): Promise<DatabaseRoles> {
  const roles = {} as Record<ServiceName, string>;
  const urls = {} as Record<ServiceName, string>;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATABASE_ADMIN_URL: adminUrl };
  for (const [service, prefix] of Object.entries(PREFIXES) as [ServiceName, string][]) {
    roles[service] = `${database}_${service.replace(/-/g, '_')}`;
    const url = new URL(adminUrl);
    url.username = roles[service];
    url.pathname = `/${database}`;
    env[`${prefix}_DATABASE_URL`] = url.toString();
    url.password = randomBytes(18).toString('hex');
    env[`${prefix}_DATABASE_PASSWORD`] = url.password;
    urls[service] = url.toString();
  }
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    await dropRoles(Object.values(roles), adminUrl);
    dropped = true;
  };
  try {
    const { stdout } = await run(process.execPath, [CLI], { env, timeout: 60_000 });
    return { roles, urls, output: stdout, drop };
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    await drop().catch(() => undefined);
    throw new Error(`npm run database-roles failed: ${detail}`);
  }
}
