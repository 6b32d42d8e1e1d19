import { execFileSync, spawn } from 'node:child_process';
import { takeServerErrors } from './api';
import { localBroker, rabbitmqctl, type Broker } from './infrastructure';
import { SERVICES, type Stack } from './stack';

/**
 * Stopping and starting the machine's one RabbitMQ (`rabbitmqctl stop_app` / `start_app`), so
 * tests can take the broker away. Whatever happens to the test, the broker comes back: `startBroker`
 * in a `finally`, an exit hook, and a detached watchdog that starts it after `MAX_OUTAGE_S` even if
 * the test process is killed outright.
 */
const MAX_OUTAGE_S = 90;

let watchdog: number | null = null;
let stopped = false;
let hookInstalled = false;

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', () => {
    if (!stopped) return;
    try {
      execFileSync('rabbitmqctl', ['start_app'], { timeout: 30_000, stdio: 'ignore' });
    } catch {
      // The watchdog is still there.
    }
  });
}

/** Takes the broker away: every client connection drops. Resolves once the app has stopped. */
export async function stopBroker(): Promise<void> {
  installExitHook();
  if (watchdog === null) {
    const child = spawn('sh', ['-c', `sleep ${MAX_OUTAGE_S}; rabbitmqctl start_app`], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    watchdog = child.pid ?? null;
  }
  stopped = true;
  await rabbitmqctl('stop_app');
}

/**
 * Brings the broker back (a no-op when it is running); `start_app` returns once it accepts
 * connections. Resolves with that moment (ms since epoch).
 */
export async function startBroker(): Promise<number> {
  await rabbitmqctl('start_app');
  const backAt = Date.now();
  stopped = false;
  if (watchdog !== null) {
    try {
      // The watchdog is its own process group (detached): this ends its shell and its sleep.
      process.kill(-watchdog, 'SIGKILL');
    } catch {
      // Already gone.
    }
    watchdog = null;
  }
  return backAt;
}

/** Runs `fn` with the broker stopped, and always starts it again. */
export async function withBrokerStopped<T>(fn: () => Promise<T>): Promise<T> {
  await stopBroker();
  try {
    return await fn();
  } finally {
    await startBroker();
  }
}

export interface QueueDepth {
  name: string;
  /** Ready plus unacknowledged. */
  messages: number;
  /** Waiting in the queue, not yet handed to a consumer. */
  ready: number;
  consumers: number;
  type: string;
}

/** The queues of a vhost with their depth, as the broker (the machine's own node unless told) counts them. */
export async function queueDepths(vhost: string, broker: Broker = localBroker): Promise<Map<string, QueueDepth>> {
  const stdout = await broker.ctl(
    'list_queues',
    '-p',
    vhost,
    'name',
    'messages',
    'messages_ready',
    'consumers',
    'type',
    '--quiet',
    '--no-table-headers',
  );
  const depths = new Map<string, QueueDepth>();
  for (const line of stdout.split('\n')) {
    const [name, messages, ready, consumers, type] = line.trim().split(/\s+/);
    if (name)
      depths.set(name, { name, messages: Number(messages), ready: Number(ready), consumers: Number(consumers), type });
  }
  return depths;
}

/**
 * After a test that took the broker or a service away: 503 service_unavailable (and /health
 * naming the broker) is what such tests provoke, any other 5xx is a bug; and no fault may take a
 * service down for good — a crash shows here with its last words.
 */
export function expectOnlyOutageErrorsAndEveryServiceRunning(stack: Stack | undefined): void {
  expect(
    takeServerErrors().filter((error) => !/→ 503 .*(service_unavailable|"broker"|{"status":"error"})/.test(error)),
  ).toEqual([]);
  for (const service of stack ? SERVICES : []) {
    if (!stack!.isRunning(service))
      throw new Error(`${service} is not running any more:\n${stack!.logs(service).slice(-3000)}`);
  }
}
