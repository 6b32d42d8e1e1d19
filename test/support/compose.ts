import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

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
  writeFileSync(envFile, Object.entries(env).map(([key, value]) => `${key}=${value}`).join('\n'));
  try {
    const { stdout } = await run('docker-compose', ['--env-file', envFile, '-f', join(REPOSITORY, 'docker-compose.yml'), 'config'], {
      cwd: REPOSITORY,
      env: { PATH: process.env.PATH ?? '' },
    });
    return parse(stdout).services;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('docker-compose is not installed (apt-get install docker-compose); .ci/run installs it');
    }
    throw error;
  }
}

/** Starts one service exactly as its compose `command` says, with the given environment. */
export function startLikeCompose(service: ComposeService, env: Record<string, string>, log: (line: string) => void): ChildProcess {
  const [command, ...args] = service.command ?? [];
  const child = spawn(command, args, { cwd: REPOSITORY, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
  child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString()));
  return child;
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
