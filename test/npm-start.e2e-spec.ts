import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './support/api';
import { REPOSITORY } from './support/compose';
import { dropDatabase, rabbitmqctl } from './support/infrastructure';
import { freePort } from './support/stack';

/**
 * `npm start` (the README's way to run the system on one machine) runs the three services and
 * stops them together and cleanly: when the terminal's Ctrl-C reaches npm and the launcher at
 * once, and when only npm is told to stop (a process manager's SIGTERM).
 */
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('npm start', () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `pbx2fa_test_npmstart_${suffix}`;
  const vhost = `pbx2fa_test_npmstart_${suffix}`;
  const logDir = join(REPOSITORY, 'test-artifacts', 'logs', `npm-start-${suffix}`);
  const started: ChildProcess[] = [];
  const servicePids: number[] = [];

  beforeAll(async () => {
    mkdirSync(logDir, { recursive: true });
    await rabbitmqctl('add_vhost', vhost);
    await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
  });

  afterAll(async () => {
    // npm's group, then the services (in groups of their own): whatever a failed test left running.
    for (const child of started) if (child.pid) killQuietly(-child.pid);
    for (const pid of servicePids) killQuietly(pid);
    await dropDatabase(database);
    await rabbitmqctl('delete_vhost', vhost).catch(() => undefined);
  });

  /** `npm start` in a process group of its own, as a terminal runs it; resolves once all three answer /health. */
  async function npmStart(name: string) {
    const ports = {
      AUTH_PORT: await freePort(),
      TICKETS_PORT: await freePort(),
      RESELLER_SETTINGS_PORT: await freePort(),
    };
    const managementPorts = {
      AUTH_MANAGEMENT_PORT: await freePort(),
      TICKETS_MANAGEMENT_PORT: await freePort(),
      RESELLER_SETTINGS_MANAGEMENT_PORT: await freePort(),
    };
    const child = spawn('npm', ['start'], {
      cwd: REPOSITORY,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? REPOSITORY,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
        BOOTSTRAP_AGENT_USERNAME: 'npm.start.agent',
        BOOTSTRAP_AGENT_PASSWORD: randomBytes(18).toString('base64url'),
        ...Object.fromEntries(Object.entries(ports).map(([key, port]) => [key, String(port)])),
        ...Object.fromEntries(Object.entries(managementPorts).map(([key, port]) => [key, String(port)])),
      },
    });
    started.push(child);
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        for (const [, pid] of chunk.toString().matchAll(/started [a-z-]+ \(pid (\d+)\)/g))
          servicePids.push(Number(pid));
        appendFileSync(join(logDir, `${name}.log`), chunk);
      });
    }
    let stopDeadline: () => void = () => undefined;
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('exit', (code) => resolve(code));
      // Registered now, armed when a test stops it: npm must be gone 20 s after the signal.
      stopDeadline = () =>
        setTimeout(
          () => reject(new Error(`npm start (${name}) was still running 20 s after the signal`)),
          20_000,
        ).unref();
    });
    await eventually(
      async () => {
        for (const port of Object.values(ports))
          expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    return {
      child,
      ports: Object.values(ports),
      exited: () => (stopDeadline(), exited),
      output: () => output,
    };
  }

  async function expectStoppedCleanly(run: Awaited<ReturnType<typeof npmStart>>) {
    await run.exited();
    await eventually(() => {
      for (const service of ['auth', 'tickets', 'reseller-settings'])
        expect(run.output()).toContain(`${service} stopped (code 0)`);
    });
    expect(run.output()).not.toContain('killing the services');
    for (const port of run.ports) await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }

  it('stops all three cleanly on Ctrl-C (SIGINT to the whole foreground group)', async () => {
    const run = await npmStart('ctrl-c');
    process.kill(-(run.child.pid as number), 'SIGINT');
    await expectStoppedCleanly(run);
  });

  it('stops all three cleanly when only npm is sent SIGTERM', async () => {
    const run = await npmStart('sigterm');
    run.child.kill('SIGTERM');
    await expectStoppedCleanly(run);
  });
});
