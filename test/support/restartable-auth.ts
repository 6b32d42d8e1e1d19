import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { BOOTSTRAP_AGENT_USERNAME, freePort, startStack, type Stack, type StackOptions } from './stack';

/**
 * A stack whose auth service the test can restart, to show that what auth keeps (locks, used
 * passcodes) outlives the process. stack.ts cannot restart one service yet, so this starts
 * tickets and reseller-settings with it and runs auth itself, against the same database and
 * vhost, with the same environment on every start.
 */
export interface RestartableStack extends Stack {
  /** SIGTERM to the auth process, wait for it to exit, start it again on the same port, wait for /health. */
  restartAuth(): Promise<void>;
}

const ROOT = resolve(__dirname, '..', '..');
const AUTH_MAIN = join(ROOT, 'dist', 'apps', 'auth', 'src', 'main.js');
const HEALTH_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

interface AuthProcess {
  child: ChildProcess;
  exited: Promise<void>;
  exitCode: () => number | null | undefined;
}

const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

export async function startRestartableStack(options: Omit<StackOptions, 'services'> = {}): Promise<RestartableStack> {
  const others = await startStack({ ...options, services: ['tickets', 'reseller-settings'] });
  const port = await freePort();
  const agent = { username: BOOTSTRAP_AGENT_USERNAME, password: `Agent-${randomBytes(12).toString('base64url')}-9x!` };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? ROOT,
    NODE_ENV: 'test',
    DATABASE_URL: others.databaseUrl,
    RABBITMQ_URL: others.rabbitmqUrl,
    LOG_LEVEL: 'warn',
    NO_COLOR: '1',
    PORT: String(port),
    BOOTSTRAP_AGENT_USERNAME: agent.username,
    BOOTSTRAP_AGENT_PASSWORD: agent.password,
    JWT_SECRET: randomBytes(32).toString('hex'),
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...options.env,
    ...options.serviceEnv?.auth,
  };
  const authUrl = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const file: WriteStream = createWriteStream(join(others.logDir, 'auth.log'), { flags: 'a' });
  let current: AuthProcess | null = null;

  const launch = async (): Promise<void> => {
    const child = spawn(process.execPath, [AUTH_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    alive.add(child);
    let code: number | null | undefined;
    const exited = new Promise<void>((done) =>
      child.on('exit', (exitCode) => {
        alive.delete(child);
        code = exitCode;
        done();
      }),
    );
    const capture = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      file.write(chunk);
    };
    child.stdout!.on('data', capture);
    child.stderr!.on('data', capture);
    current = { child, exited, exitCode: () => code };
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (code !== undefined) throw new Error(`auth exited during start (code ${code}):\n${output.join('').slice(-4000)}`);
      const status = await fetch(`${authUrl}/health`, { signal: AbortSignal.timeout(3000) }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((done) => setTimeout(done, 200));
    }
    throw new Error(`auth did not answer 200 on ${authUrl}/health within ${HEALTH_TIMEOUT_MS / 1000} s:\n${output.join('').slice(-4000)}`);
  };

  const terminate = async (): Promise<void> => {
    const running = current;
    current = null;
    if (!running || running.exitCode() !== undefined) return;
    running.child.kill('SIGTERM');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), STOP_GRACE_MS);
    await running.exited;
    clearTimeout(timer);
  };

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await terminate();
      await new Promise<void>((done) => file.end(done));
      await others.stop();
    })());

  try {
    await launch();
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return {
    ...others,
    authUrl,
    agent,
    services: ['auth', ...others.services],
    logs: (service) => (service === 'auth' ? output.join('') : others.logs(service)),
    stop,
    restartAuth: async () => {
      await terminate();
      output.push('[restartable-auth] restarting auth\n');
      await launch();
    },
  };
}
