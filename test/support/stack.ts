import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { dropDatabase, rabbitmqctl } from './infrastructure';

export const SERVICES = ['auth', 'tickets', 'reseller-settings'] as const;
export type ServiceName = (typeof SERVICES)[number];

export { POSTGRES_ADMIN_URL } from './infrastructure';
export const RABBITMQ_BASE_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const BOOTSTRAP_AGENT_USERNAME = 'agent.smith';

const ROOT = resolve(__dirname, '..', '..');
const HEALTH_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 40;

export interface StackOptions {
  /** Which services to start; all three by default. */
  services?: readonly ServiceName[];
  /** Names the log folder; defaults to the test file's name. */
  name?: string;
  /** Extra environment for every service started (applied after the defaults). */
  env?: Record<string, string>;
  /** Extra environment for one service (applied last). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

export interface Stack {
  /** The three base URLs are undefined for a service that was not started (see `services`). */
  authUrl: string;
  ticketsUrl: string;
  resellerSettingsUrl: string;
  databaseUrl: string;
  vhost: string;
  rabbitmqUrl: string;
  /** The support agent the auth service creates at start. */
  agent: { username: string; password: string };
  logDir: string;
  services: readonly ServiceName[];
  /** Everything the service wrote to stdout and stderr so far. */
  logs(service: ServiceName): string;
  /**
   * Stops one service (SIGTERM, SIGKILL after 10 s) and starts it again on the same port with the
   * same environment, database and vhost; resolves once its /health answers 200 again.
   */
  restart(service: ServiceName): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s), then drops the database and deletes the vhost. Safe to call twice. */
  stop(): Promise<void>;
}

interface RunningService {
  name: ServiceName;
  url: string;
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

/** A free port, found by letting the kernel pick one; a small race with other processes is accepted. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') return reject(new Error('could not read the chosen port'));
      server.close(() => resolvePort(address.port));
    });
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
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
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
  return testPath ? basename(testPath).replace(/\.e2e-spec\.ts$/, '').replace(/[^A-Za-z0-9_-]/g, '-') : 'stack';
}

function tail(service: RunningService): string {
  const lines = service.output.join('').split('\n');
  return lines.slice(-LOG_TAIL_LINES).join('\n');
}

class HealthRefused extends Error {}

async function waitForHealth(service: RunningService, logFile: string): Promise<void> {
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
      if (response.status === 200) return;
      last = `HTTP ${response.status} ${(await response.text()).slice(0, 500)}`;
      // Nest listens only once started: a 4xx is the route refusing, not a service still warming up.
      if (response.status >= 400 && response.status < 500) {
        throw new HealthRefused(`${service.name} is up but GET /health answered ${last}; /health must be public and answer 200.`);
      }
    } catch (error) {
      if (error instanceof HealthRefused) throw new Error(`${error.message} Last lines of ${logFile}:\n${tail(service)}`);
      last = (error as Error).message;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(
    `${service.name} did not answer 200 on ${service.url}/health within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last}). ` +
      `Last lines of ${logFile}:\n${tail(service)}`,
  );
}

function openService(name: ServiceName, port: number, env: Record<string, string>, logDir: string): RunningService {
  const service: RunningService = {
    name,
    url: `http://127.0.0.1:${port}`,
    env,
    output: [],
    file: createWriteStream(join(logDir, `${name}.log`), { flags: 'a' }),
    child: null,
    exited: Promise.resolve(),
    exitInfo: null,
  };
  spawnProcess(service);
  return service;
}

function spawnProcess(service: RunningService): void {
  const child = spawn(process.execPath, [entryPoint(service.name)], { cwd: ROOT, env: service.env, stdio: ['ignore', 'pipe', 'pipe'] });
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
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', capture);
  }
  child.on('error', (error) => capture(`[harness] could not start ${service.name}: ${error.message}\n`));
}

/** SIGTERM, then SIGKILL if the process is still there after the grace period. */
async function terminate(service: RunningService): Promise<void> {
  const child = service.child;
  if (!child || service.exitInfo) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (service.exitInfo) return;
    service.output.push(`[harness] ${service.name} ignored SIGTERM for ${STOP_GRACE_MS / 1000} s; sending SIGKILL\n`);
    child.kill('SIGKILL');
  }, STOP_GRACE_MS);
  await service.exited;
  clearTimeout(timer);
}

/**
 * Starts the built services as child processes, isolated from every other stack: a fresh
 * database and a fresh RabbitMQ vhost, free ports, a generated agent password and secrets.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const services = options.services ?? SERVICES;
  checkBuilt(services);
  installExitHook();

  const id = randomBytes(5).toString('hex');
  const stackName = `${options.name ?? defaultName()}-${id}`;
  const database = `pbx2fa_test_${id}`;
  const vhost = `pbx2fa_test_${id}`;
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
  const rabbitmqUrl = `${RABBITMQ_BASE_URL}/${encodeURIComponent(vhost)}`;
  const logDir = join(ROOT, 'test-artifacts', 'logs', stackName);
  mkdirSync(logDir, { recursive: true });

  const agent = { username: BOOTSTRAP_AGENT_USERNAME, password: `Agent-${randomBytes(12).toString('base64url')}-9x!` };
  const started = new Map<ServiceName, RunningService>();
  let vhostCreated = false;
  let stopping: Promise<void> | null = null;

  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(
        [...started.values()].map(async (service) => {
          await terminate(service);
          await new Promise<void>((done) => service.file.end(done));
        }),
      );
      const problems: string[] = [];
      await dropDatabase(database).catch((error: Error) => problems.push(`dropping ${database}: ${error.message}`));
      if (vhostCreated) {
        await rabbitmqctl('delete_vhost', vhost).catch((error: Error) => problems.push(error.message));
      }
      if (problems.length) throw new Error(`The stack ${stackName} was not cleaned up: ${problems.join('; ')}`);
    })());

  try {
    await rabbitmqctl('add_vhost', vhost);
    vhostCreated = true;
    await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');

    const base: Record<string, string> = {
      // A clean environment: nothing from the developer's shell leaks into the services.
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? ROOT,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      RABBITMQ_URL: rabbitmqUrl,
      LOG_LEVEL: 'warn',
      // Plain text in the log files.
      NO_COLOR: '1',
    };
    const authEnv: Record<string, string> = {
      BOOTSTRAP_AGENT_USERNAME: agent.username,
      BOOTSTRAP_AGENT_PASSWORD: agent.password,
      JWT_SECRET: randomBytes(32).toString('hex'),
      TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    for (const service of services) {
      const port = await freePort();
      const env = {
        ...base,
        PORT: String(port),
        ...(service === 'auth' ? authEnv : {}),
        ...options.env,
        ...options.serviceEnv?.[service],
      };
      started.set(service, openService(service, port, env, logDir));
    }
    await Promise.all([...started.values()].map((service) => waitForHealth(service, join(logDir, `${service.name}.log`))));
  } catch (error) {
    await stop().catch((cleanup: Error) => {
      (error as Error).message += `\n(and cleaning up failed: ${cleanup.message})`;
    });
    throw error;
  }

  const urlOf = (service: ServiceName) => started.get(service)?.url as string;
  const restart = async (name: ServiceName) => {
    const service = started.get(name);
    if (!service) throw new Error(`${name} was not started in this stack (services: ${services.join(', ')})`);
    if (stopping) throw new Error(`the stack ${stackName} is stopping`);
    await terminate(service);
    service.output.push(`[harness] restarting ${name}\n`);
    service.file.write(`[harness] restarting ${name}\n`);
    spawnProcess(service);
    await waitForHealth(service, join(logDir, `${name}.log`));
  };
  return {
    authUrl: urlOf('auth'),
    ticketsUrl: urlOf('tickets'),
    resellerSettingsUrl: urlOf('reseller-settings'),
    databaseUrl,
    vhost,
    rabbitmqUrl,
    agent,
    logDir,
    services,
    logs: (service) => started.get(service)?.output.join('') ?? '',
    restart,
    stop,
  };
}
