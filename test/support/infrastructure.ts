import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';

/** The local PostgreSQL (trust auth) and RabbitMQ the end-to-end stacks run against. */
export const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const run = promisify(execFile);

export async function rabbitmqctl(...args: string[]): Promise<void> {
  try {
    await run('rabbitmqctl', args, { timeout: 30_000 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${detail}`);
  }
}

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
  return stdout.split('\n').map((line) => line.trim()).filter(Boolean);
}

/** The queues declared in a vhost; for checking that services really use the stack's vhost. */
export async function listQueues(vhost: string): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', ['list_queues', '-p', vhost, 'name', '--quiet', '--no-table-headers'], {
    timeout: 30_000,
  });
  return stdout.split('\n').map((line) => line.trim()).filter(Boolean);
}
