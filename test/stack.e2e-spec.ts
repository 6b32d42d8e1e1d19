import { databaseExists, listQueues, listVhosts } from './support/infrastructure';
import { startStack, type Stack } from './support/stack';

/**
 * The harness itself: a stack is isolated (its own database and vhost) and leaves nothing
 * behind. Uses reseller-settings alone, which needs neither the gateway nor the tickets service.
 */
describe('the end-to-end stack', () => {
  let stack: Stack;
  let other: Stack;

  beforeAll(async () => {
    [stack, other] = await Promise.all([
      startStack({ services: ['reseller-settings'] }),
      startStack({ services: ['reseller-settings'] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([stack?.stop(), other?.stop()]);
  });

  it('answers health on the port it chose', async () => {
    const response = await fetch(`${stack.resellerSettingsUrl}/health`);
    expect(response.status).toBe(200);
  });

  it('gives each stack its own database and vhost', async () => {
    expect(stack.databaseUrl).not.toBe(other.databaseUrl);
    expect(stack.vhost).not.toBe(other.vhost);
    expect(stack.resellerSettingsUrl).not.toBe(other.resellerSettingsUrl);
    await expect(databaseExists(new URL(stack.databaseUrl).pathname.slice(1))).resolves.toBe(true);
  });

  it('declares the service queues in the stack vhost, not in the default one', async () => {
    const queues = await listQueues(stack.vhost);
    expect(queues).toEqual(expect.arrayContaining(['reseller-settings.events', 'reseller-settings.rpc']));
  });

  it('restarts one service on the same port, against the same database and vhost', async () => {
    const url = stack.resellerSettingsUrl;
    await stack.restart('reseller-settings');
    expect(stack.resellerSettingsUrl).toBe(url);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(stack.logs('reseller-settings')).toContain('[harness] restarting reseller-settings');
    await expect(stack.restart('auth')).rejects.toThrow(/auth was not started/);
  });

  it('drops the database and deletes the vhost when stopped', async () => {
    const database = new URL(other.databaseUrl).pathname.slice(1);
    await other.stop();
    await expect(databaseExists(database)).resolves.toBe(false);
    expect(await listVhosts()).not.toContain(other.vhost);
    expect(other.logs('reseller-settings')).not.toMatch(/\b(error|fatal)\b/i);
  });

  it('explains a service that never became healthy, with its last log lines', async () => {
    await expect(
      startStack({
        services: ['reseller-settings'],
        name: 'broken',
        serviceEnv: { 'reseller-settings': { DATABASE_URL: 'not-a-url' } },
      }),
    ).rejects.toThrow(/reseller-settings exited during start[\s\S]*DATABASE_URL/);
  });
});
