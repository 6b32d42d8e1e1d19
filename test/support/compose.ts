import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { rabbitmqctl } from './infrastructure';

const run = promisify(execFile);
export const REPOSITORY = join(__dirname, '..', '..');

export interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  ports?: unknown[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
}

/**
 * The compose file as docker-compose resolves it (variables substituted from `env`), read with
 * Debian's docker-compose 1.29, which needs no Docker engine for `config`.
 */
export async function resolvedComposeFile(env: Record<string, string>): Promise<Record<string, ComposeService>> {
  const envFile = join(tmpdir(), `pbx2fa-compose-${randomBytes(4).toString('hex')}.env`);
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n'),
  );
  try {
    const { stdout } = await run(
      'docker-compose',
      ['--env-file', envFile, '-f', join(REPOSITORY, 'docker-compose.yml'), 'config'],
      {
        cwd: REPOSITORY,
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    return parse(stdout).services;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('docker-compose is not installed (apt-get install docker-compose); .ci/run installs it');
    }
    throw error;
  }
}

/** Starts one service exactly as its compose `command` says, with the given environment. */
export function startLikeCompose(
  service: ComposeService,
  env: Record<string, string>,
  log: (line: string) => void,
): ChildProcess {
  const [command, ...args] = service.command ?? [];
  const child = spawn(command, args, {
    cwd: REPOSITORY,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString()));
  return child;
}

/**
 * Stops a service started by `startLikeCompose` the way compose does: SIGTERM to `npm run …`, which
 * hands it to the service (a SIGKILL would leave the service itself running, holding the test's
 * pipes open); SIGKILL only if it has not exited within 10 s.
 */
export async function stopLikeCompose(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs the compose healthcheck command (`CMD …`) in the service's environment; true on exit 0. */
export async function runHealthcheck(service: ComposeService, env: Record<string, string>): Promise<boolean> {
  const [kind, command, ...args] = service.healthcheck?.test ?? [];
  if (kind !== 'CMD') throw new Error(`unexpected healthcheck form ${kind}`);
  try {
    await run(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export interface ThisMachine {
  database: string;
  vhost: string;
  /** Where the compose `secrets` volume (/run/pbx2fa-secrets) is, here. */
  secretsDir: string;
  /** A service's ports; none for a one-shot. */
  port?: number;
  managementPort?: number;
}

/**
 * A service's compose environment as it runs here: the compose network's host names pointed at
 * this machine, the test's own database and vhost, the secrets volume at the test's folder, and
 * free ports. Empty values count as unset, as the services read them.
 */
export function pointedAtThisMachine(environment: Record<string, string>, here: ThisMachine): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(environment)
      .filter(([, value]) => value !== '')
      .map(([key, value]) => [key, value.replace('/run/pbx2fa-secrets', here.secretsDir)]),
  );
  // A service's DATABASE_URL, the database-roles one-shot's admin and per-service URLs.
  for (const key of Object.keys(env).filter((name) => name.endsWith('DATABASE_URL') || name === 'DATABASE_ADMIN_URL')) {
    const url = new URL(env[key]);
    url.hostname = '127.0.0.1';
    if (url.pathname === '/pbx2fa') url.pathname = `/${here.database}`;
    env[key] = url.toString();
  }
  if (env.RABBITMQ_URL) {
    const rabbitmqUrl = new URL(env.RABBITMQ_URL);
    rabbitmqUrl.hostname = '127.0.0.1';
    rabbitmqUrl.pathname = `/${here.vhost}`;
    env.RABBITMQ_URL = rabbitmqUrl.toString();
  }
  if (here.port !== undefined) env.PORT = String(here.port);
  if (here.managementPort !== undefined) env.MANAGEMENT_PORT = String(here.managementPort);
  return env;
}

/**
 * A compose environment with each service's PostgreSQL role named `<role>_<suffix>` (roles are
 * the cluster's, shared by everyone here): a service's DATABASE_URL, the database-roles one-shot's
 * per-service URLs.
 */
export function withDatabaseRolesOf(env: Record<string, string>, suffix: string): Record<string, string> {
  const renamed = { ...env };
  for (const key of Object.keys(env).filter((name) => name.endsWith('DATABASE_URL'))) {
    const url = new URL(env[key]);
    url.username = `${url.username}_${suffix}`;
    renamed[key] = url.toString();
  }
  return renamed;
}

/** The roles a database-roles environment names (to drop after the test, once their database is gone). */
export function databaseRolesOf(env: Record<string, string>): string[] {
  return Object.keys(env)
    .filter((name) => name.endsWith('_DATABASE_URL'))
    .map((name) => decodeURIComponent(new URL(env[name]).username));
}

interface Definitions {
  users: { name: string }[];
  vhosts: { name: string }[];
  permissions: { user: string; vhost: string }[];
  topic_permissions: { user: string; vhost: string }[];
  exchanges: { vhost: string }[];
  queues: { vhost: string }[];
  bindings: { vhost: string }[];
}

/**
 * What the compose RabbitMQ does at boot with the definitions file the secrets service wrote, done
 * here on the machine's broker: into the test's own vhost, each user's name followed by `-suffix`
 * (users are the broker's, shared by everyone here). Resolves with the users made, to delete after.
 */
export async function loadComposeDefinitions(secretsDir: string, vhost: string, suffix: string): Promise<string[]> {
  const definitions = JSON.parse(readFileSync(join(secretsDir, 'rabbitmq-definitions.json'), 'utf8')) as Definitions;
  const rename = (name: string) => `${name}-${suffix}`;
  const here = {
    ...definitions,
    users: definitions.users.map((user) => ({ ...user, name: rename(user.name) })),
    vhosts: [{ name: vhost }],
    permissions: definitions.permissions.map((entry) => ({ ...entry, user: rename(entry.user), vhost })),
    topic_permissions: definitions.topic_permissions.map((entry) => ({ ...entry, user: rename(entry.user), vhost })),
    exchanges: definitions.exchanges.map((entry) => ({ ...entry, vhost })),
    queues: definitions.queues.map((entry) => ({ ...entry, vhost })),
    bindings: definitions.bindings.map((entry) => ({ ...entry, vhost })),
  };
  // rabbitmqctl reads it as the rabbitmq user.
  const file = join(tmpdir(), `pbx2fa-definitions-${suffix}.json`);
  writeFileSync(file, JSON.stringify(here), { mode: 0o644 });
  try {
    await rabbitmqctl('import_definitions', file);
  } finally {
    rmSync(file, { force: true });
  }
  const users = here.users.map((user) => user.name);
  // The import may finish after the command returns.
  for (let tries = 0; ; tries++) {
    const listed = await rabbitmqctl('list_users', '--quiet', '--no-table-headers');
    if (users.every((user) => listed.split('\n').some((line) => line.startsWith(`${user}\t`)))) return users;
    if (tries === 40) throw new Error(`the definitions' users did not appear: ${users.join(', ')}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** A service's compose environment with its broker user named as `loadComposeDefinitions` made it. */
export function withBrokerUsersOf(env: Record<string, string>, suffix: string): Record<string, string> {
  const url = new URL(env.RABBITMQ_URL);
  url.username = `${url.username}-${suffix}`;
  return {
    ...env,
    RABBITMQ_URL: url.toString(),
    RABBITMQ_SERVICE_USERS: env.RABBITMQ_SERVICE_USERS.split(',')
      .map((entry) => `${entry}-${suffix}`)
      .join(','),
  };
}

/**
 * A compose service's environment as it runs in a test here: pointed at this machine, and its
 * broker user and database roles named for the test (`suffix`), as the test made them.
 */
export function composeEnvHere(
  environment: Record<string, string>,
  here: ThisMachine,
  suffix: string,
): Record<string, string> {
  const env = pointedAtThisMachine(environment, here);
  return withDatabaseRolesOf(env.RABBITMQ_URL ? withBrokerUsersOf(env, suffix) : env, suffix);
}
