import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './stack';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of a test's own, made with Debian's cluster tools beside the machine's
 * (same version, a free port, trust auth), so that a test can stop its database — as an outage
 * would — without stopping every other test's. Needs root (CI and this machine run as root).
 */
export class PrivatePostgres {
  private constructor(
    readonly version: string,
    readonly name: string,
    readonly port: number,
  ) {}

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<PrivatePostgres> {
    const { stdout } = await run('ls', ['/etc/postgresql']);
    const version = stdout.split('\n').filter(Boolean).sort().pop();
    if (!version) throw new Error('no PostgreSQL version in /etc/postgresql: cannot make a private cluster');
    const cluster = new PrivatePostgres(version, `pbx2fa-${randomBytes(4).toString('hex')}`, await freePort());
    await cluster.cli('pg_createcluster', [
      version,
      cluster.name,
      '--port',
      String(cluster.port),
      '--',
      '--auth=trust',
    ]);
    await cluster.start();
    return cluster;
  }

  /** Stops it the way an operator's fast shutdown does: every connection is cut at once. */
  async stop(): Promise<void> {
    await this.cli('pg_ctlcluster', ['--skip-systemctl-redirect', this.version, this.name, 'stop', '-m', 'fast']);
  }

  /** Starts it and resolves once it accepts connections. */
  async start(): Promise<void> {
    await this.cli('pg_ctlcluster', ['--skip-systemctl-redirect', this.version, this.name, 'start']);
    for (let i = 0; ; i++) {
      const client = new Client({ connectionString: this.adminUrl });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        if (i >= 100)
          throw new Error(`the private cluster ${this.name} did not accept connections: ${(error as Error).message}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    }
  }

  /** Stops it if it runs and removes it with its data. Safe to call twice. */
  async destroy(): Promise<void> {
    await this.cli('pg_dropcluster', ['--stop', this.version, this.name]).catch((error: Error) => {
      if (!/does not exist/.test(error.message)) throw error;
    });
  }

  private async cli(command: string, args: string[]): Promise<void> {
    try {
      await run(command, args, { timeout: 60_000 });
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      throw new Error(`${command} ${args.join(' ')} failed: ${detail}`);
    }
  }
}
