import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import amqp from 'amqplib';
import { brokerPermissions, declareTopology, type QueueType } from '@pbx2fa/messaging';
import { createDatabaseRoles, type DatabaseRoles } from './database-roles';
import { dropDatabase, localBroker, type Broker } from './infrastructure';

export const SERVICES = ['auth', 'tickets', 'reseller-settings'] as const;
export type ServiceName = (typeof SERVICES)[number];

export { POSTGRES_ADMIN_URL, RABBITMQ_BASE_URL } from './infrastructure';
export const BOOTSTRAP_AGENT_USERNAME = 'agent.smith';

const ROOT = resolve(__dirname, '..', '..');
const HEALTH_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 40;

export interface StackOptions {
  /** Which services to start; all three by default. Others can be started later with `start`. */
  services?: readonly ServiceName[];
  /** How many copies of a service run, each on its own port, against one database and vhost; 1 by default. */
  replicas?: Partial<Record<ServiceName, number>>;
  /** Names the log folder; defaults to the test file's name. */
  name?: string;
  /** Extra environment for every service started (applied after the defaults). */
  env?: Record<string, string>;
  /** The PostgreSQL server's port: another than the machine's 5432, e.g. a PrivatePostgres a test may stop. */
  postgresPort?: number;
  /** Extra environment for one service (applied last). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /**
   * The RabbitMQ to run against (its vhost is created there, and the services are given every
   * node's URL in RABBITMQ_URL); the machine's own node by default.
   */
  broker?: Broker;
  /**
   * Each service connects as its own PostgreSQL role, made by `npm run database-roles` as compose
   * does (README, "Database roles"); by default every service is the superuser, as `npm start`.
   */
  databaseRoles?: boolean;
}

export type Signal = 'SIGKILL' | 'SIGTERM';

export interface StartOptions {
  /** Which copy; all of them when omitted. */
  replica?: number;
  /** `healthy` (default): until /health answers 200; `listening`: until it answers at all (e.g. 503 while the broker is away). */
  until?: 'healthy' | 'listening';
}

export interface Stack {
  /** The first copy's base URL; undefined for a service that was not started yet (see `services`). */
  readonly authUrl: string;
  readonly ticketsUrl: string;
  readonly resellerSettingsUrl: string;
  /** Every copy's base URL, in replica order; empty for a service not started yet. */
  urls(service: ServiceName): string[];
  /** Every copy's management URL (`/health/live`, `/health/ready`, `/metrics`), in replica order. */
  managementUrls(service: ServiceName): string[];
  /** The stack's database as the superuser. */
  databaseUrl: string;
  /** The stack's database as a service connects to it: its own role with `databaseRoles`, else the superuser. */
  databaseUrlAs(service: ServiceName): string;
  vhost: string;
  /**
   * The stack's vhost on the broker's first node as guest, an administrator that is none of the
   * services: what it publishes every consumer refuses.
   */
  rabbitmqUrl: string;
  /** The stack's vhost on every node, in the order the services try them (their RABBITMQ_URL, split, without user). */
  rabbitmqUrls: string[];
  /**
   * The stack's vhost on the first node as a service's own broker user (its permissions, its
   * user_id), or as `operator`: full rights on the vhost and tagged impersonator, as the
   * dead-letters command needs.
   */
  brokerUrlAs(user: ServiceName | 'operator'): string;
  /** Each service's broker user in this stack (unique to it: users are the broker's, not the vhost's). */
  brokerUsers: Record<ServiceName, string>;
  /** The RabbitMQ the stack runs against. */
  broker: Broker;
  /** The support agent the auth service creates at start. */
  agent: { username: string; password: string };
  logDir: string;
  services: readonly ServiceName[];
  /** Everything the service (one copy, or all of them) wrote to stdout and stderr so far. */
  logs(service: ServiceName, replica?: number): string;
  /**
   * Stops one service (SIGTERM, SIGKILL after 10 s) and starts it again on the same port with the
   * same environment, database and vhost; resolves once its /health answers 200 again.
   * Every copy, one after the other, unless `replica` names one. `env` changes its environment
   * from then on (a variable given as undefined is removed), as an operator changes a setting.
   */
  restart(service: ServiceName, replica?: number, env?: Record<string, string | undefined>): Promise<void>;
  /** Sends the signal to one copy (SIGKILL by default: no shutdown hooks run) and resolves once it has exited. */
  kill(service: ServiceName, replica?: number, signal?: Signal): Promise<void>;
  /**
   * Starts a service that is not running — stopped, killed, or never started — on its port (chosen
   * now if it never ran), with the stack's environment.
   */
  start(service: ServiceName, options?: StartOptions): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s) to one copy or all; the service can be started again. */
  stopService(service: ServiceName, replica?: number): Promise<void>;
  /** Whether every copy (or the one named) is still running; false once one has exited on its own or been stopped. */
  isRunning(service: ServiceName, replica?: number): boolean;
  /** SIGTERM (SIGKILL after 10 s), then drops the database, deletes the vhost and the stack's broker users. Safe to call twice. */
  stop(): Promise<void>;
}

interface RunningService {
  name: ServiceName;
  replica: number;
  /** The log file's name: `auth.log`, or `auth-2.log` for a second copy. */
  label: string;
  url: string;
  /** The management port's base URL. */
  managementUrl: string;
  env: Record<string, string>;
  output: string[];
  file: WriteStream;
  /** The current process; replaced by `restart`. */
  child: ChildProcess | null;
  exited: Promise<void>;
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Children must not outlive the test process, even when it dies without running afterAll. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/**
 * Ports for the services' listeners, below Linux's ephemeral range (32768 and up): a port the
 * kernel picks for port 0 comes from that range, the same one outgoing connections take their
 * local port from, so between its choice and the service's listen a starting service's own
 * connection could take it (EADDRINUSE). Below it, only another listener can.
 */
const LISTENER_PORTS = workerPorts({ from: 20_000, to: 32_000 }, 4);
/** Ports this process has handed out: never given twice, though a stopped test frees them. */
const handedOut = new Set<number>();

/**
 * A slice of the range for each Jest worker, so that two files running at once never pick the same
 * port in the seconds between one's check and its service's listen. Workers beyond `slices` share.
 */
function workerPorts(range: { from: number; to: number }, slices: number): { from: number; to: number } {
  const worker = Number(process.env.JEST_WORKER_ID ?? 1);
  const size = Math.floor((range.to - range.from) / slices);
  const from = range.from + ((worker - 1) % slices) * size;
  return { from, to: from + size };
}

/** A port no one listens on (IPv4 or IPv6), not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = LISTENER_PORTS.from + Math.floor(Math.random() * (LISTENER_PORTS.to - LISTENER_PORTS.from));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${LISTENER_PORTS.from} and ${LISTENER_PORTS.to}`);
}

/** Whether a listener on every address (what the services open) can take the port now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const server = createServer();
    server.unref();
    server.once('error', () => answer(false));
    server.listen(port, () => server.close(() => answer(true)));
  });
}

function entryPoint(service: ServiceName): string {
  return join(ROOT, 'dist', 'apps', service, 'src', 'main.js');
}

function newestSource(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function checkBuilt(services: readonly ServiceName[]): void {
  const missing = services.filter((service) => !existsSync(entryPoint(service)));
  if (missing.length) {
    throw new Error(
      `The end-to-end tests run the built services, and ${missing.map((s) => `dist/apps/${s}/src/main.js`).join(', ')} ` +
        `${missing.length > 1 ? 'are' : 'is'} missing. Run \`npm run build\` first (\`npm test\` and \`npm run test:e2e\` build before running jest).`,
    );
  }
  for (const service of services) {
    const built = statSync(entryPoint(service)).mtimeMs;
    if (Math.max(newestSource(join(ROOT, 'apps', service, 'src')), newestSource(join(ROOT, 'libs'))) > built) {
      console.warn(`dist/ for ${service} is older than its sources; run \`npm run build\` to test the current code.`);
    }
  }
}

function defaultName(): string {
  const testPath = typeof expect !== 'undefined' ? expect.getState().testPath : undefined;
  return testPath
    ? basename(testPath)
        .replace(/\.e2e-spec\.ts$/, '')
        .replace(/[^A-Za-z0-9_-]/g, '-')
    : 'stack';
}

function tail(service: RunningService): string {
  const lines = service.output.join('').split('\n');
  return lines.slice(-LOG_TAIL_LINES).join('\n');
}

class HealthRefused extends Error {}

async function waitForHealth(
  service: RunningService,
  logFile: string,
  until: 'healthy' | 'listening' = 'healthy',
): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (service.exitInfo) {
      throw new Error(
        `${service.name} exited during start (code ${service.exitInfo.code}, signal ${service.exitInfo.signal}). ` +
          `Last lines of ${logFile}:\n${tail(service)}`,
      );
    }
    try {
      const response = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(3000) });
      if (response.status === 200 || (until === 'listening' && response.status === 503)) return;
      last = `HTTP ${response.status} ${(await response.text()).slice(0, 500)}`;
      // Nest listens only once started: a 4xx is the route refusing, not a service still warming up.
      if (response.status >= 400 && response.status < 500) {
        throw new HealthRefused(
          `${service.name} is up but GET /health answered ${last}; /health must be public and answer 200.`,
        );
      }
    } catch (error) {
      if (error instanceof HealthRefused)
        throw new Error(`${error.message} Last lines of ${logFile}:\n${tail(service)}`);
      last = (error as Error).message;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(
    `${service.name} did not answer 200 on ${service.url}/health within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last}). ` +
      `Last lines of ${logFile}:\n${tail(service)}`,
  );
}

function openService(
  name: ServiceName,
  replica: number,
  port: number,
  env: Record<string, string>,
  logDir: string,
): RunningService {
  const label = replica === 0 ? name : `${name}-${replica + 1}`;
  return {
    name,
    replica,
    label,
    url: `http://127.0.0.1:${port}`,
    managementUrl: `http://127.0.0.1:${env.MANAGEMENT_PORT}`,
    env,
    output: [],
    file: createWriteStream(join(logDir, `${label}.log`), { flags: 'a' }),
    child: null,
    exited: Promise.resolve(),
    exitInfo: { code: null, signal: null },
  };
}

const isRunning = (service: RunningService) => service.child !== null && service.exitInfo === null;

function note(service: RunningService, line: string): void {
  service.output.push(`[harness] ${line}\n`);
  service.file.write(`[harness] ${line}\n`);
}

function spawnProcess(service: RunningService): void {
  const child = spawn(process.execPath, [entryPoint(service.name)], {
    cwd: ROOT,
    env: service.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  service.child = child;
  service.exitInfo = null;
  service.exited = new Promise((done) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      service.exitInfo = { code, signal };
      done();
    });
  });
  const capture = (text: string) => {
    service.output.push(text);
    service.file.write(text);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', capture);
  }
  child.on('error', (error) => capture(`[harness] could not start ${service.label}: ${error.message}\n`));
}

async function kill(service: RunningService, signal: Signal): Promise<void> {
  if (!isRunning(service)) return;
  note(service, `sending ${signal} to ${service.label}`);
  service.child!.kill(signal);
  await service.exited;
}

/** SIGTERM, then SIGKILL if the process is still there after the grace period. */
async function terminate(service: RunningService): Promise<void> {
  const child = service.child;
  if (!child || !isRunning(service)) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (service.exitInfo) return;
    service.output.push(`[harness] ${service.label} ignored SIGTERM for ${STOP_GRACE_MS / 1000} s; sending SIGKILL\n`);
    child.kill('SIGKILL');
  }, STOP_GRACE_MS);
  await service.exited;
  clearTimeout(timer);
}

/**
 * Each service's own user with its least privileges (the project's own table of them), and an
 * operator with every right on the vhost, tagged impersonator for the dead-letters command.
 */
async function createBrokerUsers(
  broker: Broker,
  vhost: string,
  accounts: Record<ServiceName | 'operator', { name: string; password: string }>,
  created: string[],
): Promise<void> {
  for (const user of [...SERVICES, 'operator' as const]) {
    const { name, password } = accounts[user];
    await broker.ctl('add_user', name, password);
    created.push(name);
    if (user === 'operator') {
      await broker.ctl('set_user_tags', name, 'impersonator');
      await broker.ctl('set_permissions', '-p', vhost, name, '.*', '.*', '.*');
      continue;
    }
    const { configure, write, read, topic } = brokerPermissions(user);
    await broker.ctl('set_permissions', '-p', vhost, name, configure, write, read);
    await broker.ctl('set_topic_permissions', '-p', vhost, name, topic.exchange, topic.write, topic.read);
  }
}

async function declareTopologyAsAdmin(url: string, queueType: QueueType): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    await declareTopology(channel, queueType);
    await channel.close();
  } finally {
    await connection.close();
  }
}

/**
 * Starts the built services as child processes, isolated from every other stack: a fresh
 * database and a fresh RabbitMQ vhost, free ports, a generated agent password and secrets.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const services = options.services ?? SERVICES;
  checkBuilt(SERVICES);
  installExitHook();

  const id = randomBytes(5).toString('hex');
  const stackName = `${options.name ?? defaultName()}-${id}`;
  const database = `pbx2fa_test_${id}`;
  const vhost = `pbx2fa_test_${id}`;
  const postgresPort = options.postgresPort ?? 5432;
  const databaseUrl = `postgres://postgres@127.0.0.1:${postgresPort}/${database}`;
  const adminUrl = `postgres://postgres@127.0.0.1:${postgresPort}/postgres`;
  let databaseRoles: DatabaseRoles | null = null;
  const databaseUrlAs = (service: ServiceName) => databaseRoles?.urls[service] ?? databaseUrl;
  const broker = options.broker ?? localBroker;
  const rabbitmqUrls = broker.urls.map((url) => `${url}/${encodeURIComponent(vhost)}`);
  const rabbitmqUrl = rabbitmqUrls[0];
  // One broker user per service, as in production (README, "RabbitMQ users"), and an operator.
  const accounts = Object.fromEntries(
    [...SERVICES, 'operator' as const].map((user) => [
      user,
      { name: `${vhost}-${user}`, password: randomBytes(18).toString('hex') },
    ]),
  ) as Record<ServiceName | 'operator', { name: string; password: string }>;
  const brokerUsers = Object.fromEntries(SERVICES.map((service) => [service, accounts[service].name])) as Record<
    ServiceName,
    string
  >;
  const urlsAs = (user: ServiceName | 'operator') =>
    rabbitmqUrls.map((url) => {
      const withUser = new URL(url);
      withUser.username = accounts[user].name;
      withUser.password = accounts[user].password;
      return withUser.toString();
    });
  const logDir = join(ROOT, 'test-artifacts', 'logs', stackName);
  mkdirSync(logDir, { recursive: true });

  const agent = { username: BOOTSTRAP_AGENT_USERNAME, password: `Agent-${randomBytes(12).toString('base64url')}-9x!` };
  /** Every copy of every service that was ever started, in replica order. */
  const started = new Map<ServiceName, RunningService[]>();
  const copiesOf = (service: ServiceName) => started.get(service) ?? [];
  let vhostCreated = false;
  const usersCreated: string[] = [];
  let stopping: Promise<void> | null = null;

  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(
        [...started.values()].flat().map(async (service) => {
          await terminate(service);
          await new Promise<void>((done) => service.file.end(done));
        }),
      );
      const problems: string[] = [];
      await dropDatabase(database, adminUrl).catch((error: Error) =>
        problems.push(`dropping ${database}: ${error.message}`),
      );
      await databaseRoles?.drop().catch((error: Error) => problems.push(`dropping the roles: ${error.message}`));
      if (vhostCreated) {
        await broker.ctl('delete_vhost', vhost).catch((error: Error) => problems.push(error.message));
      }
      for (const user of usersCreated) {
        await broker.ctl('delete_user', user).catch((error: Error) => problems.push(error.message));
      }
      if (problems.length) throw new Error(`The stack ${stackName} was not cleaned up: ${problems.join('; ')}`);
    })());

  const base: Record<string, string> = {
    // A clean environment: nothing from the developer's shell leaks into the services.
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? ROOT,
    NODE_ENV: 'test',
    RABBITMQ_SERVICE_USERS: SERVICES.map((service) => `${service}=${brokerUsers[service]}`).join(','),
    LOG_LEVEL: 'warn',
    // Plain text in the log files.
    NO_COLOR: '1',
  };
  // Every copy of the gateway shares its secrets, so a token signed by one is honoured by the other.
  const authEnv: Record<string, string> = {
    BOOTSTRAP_AGENT_USERNAME: agent.username,
    BOOTSTRAP_AGENT_PASSWORD: agent.password,
    JWT_SECRET: randomBytes(32).toString('hex'),
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // Tests sign in from 127.0.0.1 far more often than any office: the per-address limit is tested on its own.
    SIGN_IN_LIMIT_PER_ADDRESS: '1000000',
  };

  /** The copies of a service, each given its port and environment the first time it is asked for. */
  const configure = async (name: ServiceName): Promise<RunningService[]> => {
    if (started.has(name)) return copiesOf(name);
    const copies: RunningService[] = [];
    for (let replica = 0; replica < (options.replicas?.[name] ?? 1); replica++) {
      const port = await freePort();
      const managementPort = await freePort();
      const env = {
        ...base,
        PORT: String(port),
        MANAGEMENT_PORT: String(managementPort),
        DATABASE_URL: databaseUrlAs(name),
        RABBITMQ_URL: urlsAs(name).join(','),
        ...(name === 'auth' ? authEnv : {}),
        ...options.env,
        ...options.serviceEnv?.[name],
      };
      copies.push(openService(name, replica, port, env, logDir));
    }
    started.set(name, copies);
    return copies;
  };

  const pick = (name: ServiceName, replica?: number): RunningService[] => {
    const copies = copiesOf(name);
    if (copies.length === 0)
      throw new Error(`${name} was not started in this stack (services: ${services.join(', ')})`);
    if (replica === undefined) return copies;
    if (!copies[replica]) throw new Error(`${name} has no replica ${replica} (it runs ${copies.length})`);
    return [copies[replica]];
  };

  const launch = async (copies: RunningService[], until: 'healthy' | 'listening' = 'healthy') => {
    for (const service of copies) {
      if (isRunning(service)) throw new Error(`${service.label} is already running`);
      if (service.child) note(service, `starting ${service.label} again`);
      spawnProcess(service);
    }
    await Promise.all(copies.map((service) => waitForHealth(service, join(logDir, `${service.label}.log`), until)));
  };

  try {
    await broker.ctl('add_vhost', vhost);
    vhostCreated = true;
    await broker.ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
    await createBrokerUsers(broker, vhost, accounts, usersCreated);
    // What the operator does before the services start (compose loads it from its definitions file).
    await declareTopologyAsAdmin(rabbitmqUrl, (options.env?.RABBITMQ_QUEUE_TYPE ?? 'classic') as QueueType);
    if (options.databaseRoles) databaseRoles = await createDatabaseRoles(adminUrl, database);
    const copies: RunningService[] = [];
    for (const service of services) copies.push(...(await configure(service)));
    await launch(copies);
  } catch (error) {
    await stop().catch((cleanup: Error) => {
      (error as Error).message += `\n(and cleaning up failed: ${cleanup.message})`;
    });
    throw error;
  }

  const guard = () => {
    if (stopping) throw new Error(`the stack ${stackName} is stopping`);
  };
  const urlOf = (service: ServiceName) => copiesOf(service)[0]?.url;
  return {
    get authUrl() {
      return urlOf('auth');
    },
    get ticketsUrl() {
      return urlOf('tickets');
    },
    get resellerSettingsUrl() {
      return urlOf('reseller-settings');
    },
    urls: (service) => copiesOf(service).map((copy) => copy.url),
    managementUrls: (service) => copiesOf(service).map((copy) => copy.managementUrl),
    databaseUrl,
    databaseUrlAs,
    vhost,
    rabbitmqUrl,
    rabbitmqUrls,
    brokerUrlAs: (user) => urlsAs(user)[0],
    brokerUsers,
    broker,
    agent,
    logDir,
    services,
    logs: (service, replica) =>
      copiesOf(service)
        .filter((copy) => replica === undefined || copy.replica === replica)
        .map((copy) => copy.output.join(''))
        .join(''),
    restart: async (name, replica, env = {}) => {
      const copies = pick(name, replica);
      guard();
      for (const service of copies) {
        await terminate(service);
        for (const [variable, value] of Object.entries(env)) {
          if (value === undefined) delete service.env[variable];
          else service.env[variable] = value;
        }
        note(
          service,
          `restarting ${service.label}${Object.keys(env).length ? ` with ${Object.keys(env).join(', ')} changed` : ''}`,
        );
        spawnProcess(service);
        await waitForHealth(service, join(logDir, `${service.label}.log`));
      }
    },
    kill: async (name, replica = 0, signal = 'SIGKILL') => {
      await Promise.all(pick(name, replica).map((service) => kill(service, signal)));
    },
    stopService: async (name, replica) => {
      await Promise.all(pick(name, replica).map((service) => terminate(service)));
    },
    isRunning: (name, replica) => pick(name, replica).every(isRunning),
    start: async (name, { replica, until } = {}) => {
      guard();
      await configure(name);
      await launch(pick(name, replica), until);
    },
    stop,
  };
}
