import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPOSITORY = join(__dirname, '..');

async function start(service: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run('node', [`dist/apps/${service}/src/main.js`], {
      cwd: REPOSITORY,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** A bad environment stops a service before it touches anything, with one line naming the variable. */
describe('bad configuration', () => {
  it.each([
    ['auth', { PORT: 'abc' }, 'PORT'],
    ['tickets', { DATABASE_URL: 'mysql://somewhere/db' }, 'DATABASE_URL'],
    ['reseller-settings', { RABBITMQ_QUEUE_TYPE: 'stream' }, 'RABBITMQ_QUEUE_TYPE'],
    ['auth', { NODE_ENV: 'production' }, 'JWT_SECRET'],
    ['auth', { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }, 'TOTP_ENCRYPTION_KEY'],
    ['auth', { BOOTSTRAP_AGENT_USERNAME: 'agent' }, 'BOOTSTRAP_AGENT_PASSWORD'],
    ['auth', { JWT_SECRET: 'x'.repeat(40), JWT_SECRET_FILE: __filename }, 'JWT_SECRET_FILE'],
    ['tickets', { DATABASE_PASSWORD_FILE: '/nonexistent/pbx2fa-db-password' }, 'DATABASE_PASSWORD_FILE'],
  ])('stops %s given %o with one line naming %s', async (service, env, variable) => {
    const result = await start(service, env);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
