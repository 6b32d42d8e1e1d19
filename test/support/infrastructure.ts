import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';

/** The local PostgreSQL (trust auth) and RabbitMQ the end-to-end stacks run against. */
export const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const RABBITMQ_BASE_URL = 'amqp://guest:guest@127.0.0.1:5672';

const run = promisify(execFile);

/** `rabbitmqctl` against the machine's own node; resolves with what it printed. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  try {
    return (await run('rabbitmqctl', args, { timeout: 30_000 })).stdout;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${detail}`);
  }
}

/**
 * A RabbitMQ that stacks run against: the machine's own node (`localBroker`), or a cluster
 * (see `rabbitmq-cluster.ts`). Its user guest/guest may use any vhost it creates.
 */
export interface Broker {
  /** The nodes' AMQP URLs without a vhost, in the order the services try them. */
  readonly urls: readonly string[];
  /** `rabbitmqctl` against a running node of it; resolves with what it printed. */
  ctl(...args: string[]): Promise<string>;
}

export const localBroker: Broker = { urls: [RABBITMQ_BASE_URL], ctl: rabbitmqctl };

async function withAdminDatabase<T>(fn: (client: Client) => Promise<T>, adminUrl = POSTGRES_ADMIN_URL): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name: string, adminUrl = POSTGRES_ADMIN_URL): Promise<void> {
  await withAdminDatabase((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`), adminUrl);
}

/** Drops PostgreSQL roles (a stack's services' own); after the databases they own things in are dropped. */
export async function dropRoles(roles: readonly string[], adminUrl = POSTGRES_ADMIN_URL): Promise<void> {
  await withAdminDatabase(async (client) => {
    for (const role of roles) await client.query(`DROP ROLE IF EXISTS "${role.replace(/"/g, '""')}"`);
  }, adminUrl);
}

/** Whether a database of that name exists; for checking the harness's own cleanup. */
export function databaseExists(name: string): Promise<boolean> {
  return withAdminDatabase(async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  });
}

/** The vhosts the broker knows; for checking the harness's own cleanup. */
export async function listVhosts(): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', ['list_vhosts', '--quiet', '--no-table-headers'], { timeout: 30_000 });
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The queues declared in a vhost; for checking that services really use the stack's vhost. */
export async function listQueues(vhost: string): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', ['list_queues', '-p', vhost, 'name', '--quiet', '--no-table-headers'], {
    timeout: 30_000,
  });
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}
