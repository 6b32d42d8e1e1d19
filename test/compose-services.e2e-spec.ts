import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, login } from './support/api';
import {
  composeEnvHere,
  databaseRolesOf,
  loadComposeDefinitions,
  resolvedComposeFile,
  REPOSITORY,
  runHealthcheck,
  startLikeCompose,
  stopLikeCompose,
  type ComposeService,
} from './support/compose';
import { dropDatabase, dropRoles, rabbitmqctl } from './support/infrastructure';
import { freePort } from './support/stack';

/**
 * No Docker engine runs here, so the compose file is proven another way: each service is started
 * with exactly the command and environment the compose file gives it — only the host names
 * `postgres` and `rabbitmq` point at this machine, and the database and vhost are the test's own —
 * and must pass the compose healthcheck, serve, and stop cleanly on SIGTERM.
 */
describe('the services as docker-compose runs them', () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `pbx2fa_test_compose_${suffix}`;
  const vhost = `pbx2fa_test_compose_${suffix}`;
  const logDir = join(REPOSITORY, 'test-artifacts', 'logs', `compose-${suffix}`);
  const agent = { username: 'compose.agent', password: randomBytes(18).toString('base64url') };
  const operatorEnv = {
    NODE_ENV: 'production',
    POSTGRES_PASSWORD: 'unused-with-trust-auth',
    POSTGRES_AUTH_PASSWORD: randomBytes(24).toString('hex'),
    POSTGRES_TICKETS_PASSWORD: randomBytes(24).toString('hex'),
    POSTGRES_RESELLER_SETTINGS_PASSWORD: randomBytes(24).toString('hex'),
    RABBITMQ_USER: 'compose-operator',
    RABBITMQ_PASSWORD: randomBytes(24).toString('hex'),
    RABBITMQ_AUTH_PASSWORD: randomBytes(24).toString('hex'),
    RABBITMQ_TICKETS_PASSWORD: randomBytes(24).toString('hex'),
    RABBITMQ_RESELLER_SETTINGS_PASSWORD: randomBytes(24).toString('hex'),
    JWT_SECRET: randomBytes(48).toString('base64url'),
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    BOOTSTRAP_AGENT_USERNAME: agent.username,
    BOOTSTRAP_AGENT_PASSWORD: agent.password,
    SMTP_URL: `smtps://relay-user:${randomBytes(12).toString('hex')}@mail.example.com:465`,
  };
  const running = new Map<string, { child: ChildProcess; env: Record<string, string> }>();
  let services: Record<string, ComposeService>;
  let brokerUsers: string[] = [];
  let databaseRoles: string[] = [];

  /** Where the `secrets` volume (/run/pbx2fa-secrets) is, here. */
  const secretsDir = join(logDir, 'secrets');

  beforeAll(async () => {
    mkdirSync(logDir, { recursive: true });
    services = await resolvedComposeFile(operatorEnv);
  });

  afterAll(async () => {
    await Promise.all([...running.values()].map(({ child }) => stopLikeCompose(child)));
    await dropDatabase(database);
    await dropRoles(databaseRoles);
    await rabbitmqctl('delete_vhost', vhost).catch(() => undefined);
    for (const user of brokerUsers) await rabbitmqctl('delete_user', user).catch(() => undefined);
  });

  it('gives every container a healthcheck and publishes only the gateway', () => {
    // The one-shots `secrets` and `database-roles` run to completion before the services start.
    const withoutHealthcheck = Object.keys(services).filter(
      (name) => !['secrets', 'database-roles'].includes(name) && !services[name].healthcheck?.test?.length,
    );
    const optional = (name: string) => services[name].profiles?.includes('observability');
    const publishing = Object.keys(services).filter(
      (name) => !optional(name) && name !== 'mailpit' && (services[name].ports ?? []).length > 0,
    );
    expect(withoutHealthcheck).toEqual([]);
    expect(publishing).toEqual(['auth']);
    // The development mail catcher's page, on this machine only.
    expect((services.mailpit.ports ?? []).map(String)).toEqual(['127.0.0.1:8025:8025/tcp']);
    // The optional monitoring (`--profile observability`) publishes Grafana on this machine only.
    const monitoringPorts = Object.keys(services)
      .filter(optional)
      .flatMap((name) => services[name].ports ?? []);
    expect(monitoringPorts.map(String)).toEqual(['127.0.0.1:3300:3000/tcp']);
    expect(services.auth.ports).toHaveLength(1);
    expect(services.auth.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      'database-roles': { condition: 'service_completed_successfully' },
      rabbitmq: { condition: 'service_healthy' },
      tickets: { condition: 'service_healthy' },
      'reseller-settings': { condition: 'service_healthy' },
    });
  });

  it('writes every secret to the secrets volume first, the ones given in .env as given', async () => {
    const service = services.secrets;
    expect(service.command).toEqual(['node', 'scripts/compose-secrets.js']);
    const output: string[] = [];
    const child = startLikeCompose(service, { ...service.environment, SECRETS_DIR: secretsDir }, (text) =>
      output.push(text),
    );
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(0);
    expect(readFileSync(join(secretsDir, 'jwt_secret'), 'utf8').trim()).toBe(operatorEnv.JWT_SECRET);
    expect(readFileSync(join(secretsDir, 'smtp_url'), 'utf8').trim()).toBe(operatorEnv.SMTP_URL);
    expect(readFileSync(join(secretsDir, 'rabbitmq_tickets_password'), 'utf8').trim()).toBe(
      operatorEnv.RABBITMQ_TICKETS_PASSWORD,
    );
    // RabbitMQ loads the definitions at boot: the operator and one user per service, with their rights.
    expect(readFileSync(join(secretsDir, 'rabbitmq', '20-pbx2fa-definitions.conf'), 'utf8').trim()).toBe(
      `load_definitions = ${join(secretsDir, 'rabbitmq-definitions.json')}`,
    );
    const definitions = readFileSync(join(secretsDir, 'rabbitmq-definitions.json'), 'utf8');
    expect((JSON.parse(definitions) as { users: { name: string; tags: string[] }[] }).users).toEqual([
      expect.objectContaining({ name: 'compose-operator', tags: ['administrator', 'impersonator'] }),
      expect.objectContaining({ name: 'pbx2fa-auth', tags: [] }),
      expect.objectContaining({ name: 'pbx2fa-tickets', tags: [] }),
      expect.objectContaining({ name: 'pbx2fa-reseller-settings', tags: [] }),
    ]);
    // Only hashes of the passwords.
    for (const password of [operatorEnv.RABBITMQ_PASSWORD, operatorEnv.RABBITMQ_AUTH_PASSWORD])
      expect(definitions).not.toContain(password);
    // What the compose broker does with them, done here: the services below connect as their own users.
    brokerUsers = await loadComposeDefinitions(secretsDir, vhost, suffix);
    // Every secret was given: nothing is generated, and nothing secret is printed.
    expect(output.join('')).toContain('Every secret is in place');
    for (const secret of [
      operatorEnv.JWT_SECRET,
      operatorEnv.TOTP_ENCRYPTION_KEY,
      operatorEnv.RABBITMQ_PASSWORD,
      operatorEnv.RABBITMQ_TICKETS_PASSWORD,
      agent.password,
      operatorEnv.SMTP_URL,
    ])
      expect(output.join('')).not.toContain(secret);
    for (const name of ['postgres', 'rabbitmq'])
      expect(services[name].depends_on).toEqual({ secrets: { condition: 'service_completed_successfully' } });
  });

  it("makes each service's own PostgreSQL role as the superuser, with the password given in .env, before the services start", async () => {
    const service = services['database-roles'];
    expect(service.command).toEqual(['npm', 'run', 'database-roles']);
    for (const name of ['auth', 'tickets', 'reseller-settings'])
      expect(services[name].depends_on).toMatchObject({
        'database-roles': { condition: 'service_completed_successfully' },
      });
    const env = composeEnvHere(service.environment ?? {}, { database, vhost, secretsDir }, suffix);
    databaseRoles = databaseRolesOf(env);
    expect(databaseRoles.sort()).toEqual([
      `pbx2fa_auth_${suffix}`,
      `pbx2fa_reseller_settings_${suffix}`,
      `pbx2fa_tickets_${suffix}`,
    ]);
    const output: string[] = [];
    const child = startLikeCompose(service, env, (text) => output.push(text));
    expect(await new Promise<number | null>((done) => child.once('exit', done))).toBe(0);
    expect(output.join('')).toContain(
      `auth: role pbx2fa_auth_${suffix} owns schema auth in database ${database} (created, password set)`,
    );
    for (const password of [operatorEnv.POSTGRES_AUTH_PASSWORD, operatorEnv.POSTGRES_TICKETS_PASSWORD])
      expect(output.join('')).not.toContain(password);
  });

  it('generates every secret once when none is given (a first look without .env), and never in production', async () => {
    const firstLook = await resolvedComposeFile({});
    expect(firstLook.secrets.environment).toMatchObject({ NODE_ENV: 'development' });
    const dir = join(logDir, 'generated-secrets');
    const runSecrets = async (environment: Record<string, string>) => {
      const output: string[] = [];
      const child = startLikeCompose(firstLook.secrets, { SECRETS_DIR: dir, ...environment }, (text) =>
        output.push(text),
      );
      return { code: await new Promise<number | null>((done) => child.once('exit', done)), output: output.join('') };
    };
    const first = await runSecrets(firstLook.secrets.environment ?? {});
    expect(first.code).toBe(0);
    const password = readFileSync(join(dir, 'bootstrap_agent_password'), 'utf8').trim();
    expect(first.output).toContain(`signs in as "agent" with the password ${password}`);
    expect(readFileSync(join(dir, 'totp_encryption_key'), 'utf8').trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // No relay named: security mail goes to the bundled mail catcher, and it says so.
    expect(readFileSync(join(dir, 'smtp_url'), 'utf8').trim()).toBe('smtp://mailpit:1025');
    expect(first.output).toContain('SMTP_URL is not set: security mail goes to the bundled mail catcher');
    const again = await runSecrets(firstLook.secrets.environment ?? {});
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'bootstrap_agent_password'), 'utf8').trim()).toBe(password);
    expect(again.output).not.toContain(password);

    const production = await runSecrets({
      ...(firstLook.secrets.environment ?? {}),
      NODE_ENV: 'production',
      SECRETS_DIR: join(logDir, 'production-secrets'),
    });
    expect(production.code).toBe(1);
    expect(production.output).toContain(
      'NODE_ENV=production generates no secret: set POSTGRES_PASSWORD, POSTGRES_AUTH_PASSWORD, POSTGRES_TICKETS_PASSWORD, POSTGRES_RESELLER_SETTINGS_PASSWORD, RABBITMQ_PASSWORD, RABBITMQ_AUTH_PASSWORD, RABBITMQ_TICKETS_PASSWORD, RABBITMQ_RESELLER_SETTINGS_PASSWORD, JWT_SECRET, TOTP_ENCRYPTION_KEY, BOOTSTRAP_AGENT_PASSWORD',
    );
  });

  it.each(['reseller-settings', 'tickets', 'auth'])(
    'starts %s with its compose command and passes its healthcheck',
    async (name) => {
      const service = services[name];
      expect(service.command).toEqual(['npm', 'run', `start:${name}`]);
      const env = composeEnvHere(
        service.environment ?? {},
        { database, vhost, secretsDir, port: await freePort(), managementPort: await freePort() },
        suffix,
      );
      expect(env.RABBITMQ_URL).toContain(`pbx2fa-${name}-${suffix}@`);
      expect(env.DATABASE_URL).toContain(`pbx2fa_${name.replace('-', '_')}_${suffix}@`);
      const child = startLikeCompose(service, env, (text) => appendFileSync(join(logDir, `${name}.log`), text));
      running.set(name, { child, env });
      await eventually(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`${name} exited with ${child.exitCode}; see ${logDir}/${name}.log`);
          if (!(await runHealthcheck(service, env))) throw new Error(`${name} is not healthy yet`);
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    },
  );

  it('serves the story through the gateway started that way', async () => {
    const base = `http://127.0.0.1:${running.get('auth')!.env.PORT}`;
    // The bootstrap agent sets up its second factor at this first sign-in, as agents must.
    const accessToken = await login(base, agent.username, agent.password);
    const created = await fetch(`${base}/resellers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ id: `compose-${suffix}`, name: 'Compose Check' }),
    });
    expect(created.status).toBe(201);
  });

  it.each(['auth', 'tickets', 'reseller-settings'])(
    'stops %s on SIGTERM with exit code 0 within 10 seconds',
    async (name) => {
      const { child } = running.get(name)!;
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      const started = Date.now();
      child.kill('SIGTERM');
      const result = await exited;
      expect(result).toEqual({ code: 0, signal: null });
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );
});

/**
 * A newcomer's first look: `docker compose up` with no .env at all. The secrets service generates
 * every secret, RabbitMQ gets its users from the definitions file it wrote, and the three services start
 * with their compose command and environment, pass their healthchecks, and sign the first agent
 * in with the password printed once.
 */
describe('docker compose up without any .env', () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `pbx2fa_test_compose_first_${suffix}`;
  const vhost = `pbx2fa_test_compose_first_${suffix}`;
  const logDir = join(REPOSITORY, 'test-artifacts', 'logs', `compose-first-look-${suffix}`);
  const secretsDir = join(logDir, 'secrets');
  const running: ChildProcess[] = [];
  let services: Record<string, ComposeService>;
  let brokerUsers: string[] = [];
  let databaseRoles: string[] = [];
  let printed = '';

  beforeAll(async () => {
    mkdirSync(logDir, { recursive: true });
    services = await resolvedComposeFile({});
    const secrets = startLikeCompose(
      services.secrets,
      { ...services.secrets.environment, SECRETS_DIR: secretsDir },
      (text) => (printed += text),
    );
    expect(await new Promise<number | null>((done) => secrets.once('exit', done))).toBe(0);
    // What the compose RabbitMQ does at boot with the definitions file the secrets service wrote, done here.
    brokerUsers = await loadComposeDefinitions(secretsDir, vhost, suffix);
    // The one-shot database-roles, with the passwords the secrets service generated.
    const rolesEnv = composeEnvHere(
      services['database-roles'].environment ?? {},
      { database, vhost, secretsDir },
      suffix,
    );
    databaseRoles = databaseRolesOf(rolesEnv);
    const roles = startLikeCompose(services['database-roles'], rolesEnv, (text) => (printed += text));
    expect(await new Promise<number | null>((done) => roles.once('exit', done))).toBe(0);
  });

  afterAll(async () => {
    await Promise.all(running.map(stopLikeCompose));
    await dropDatabase(database);
    await dropRoles(databaseRoles);
    await rabbitmqctl('delete_vhost', vhost).catch(() => undefined);
    for (const user of brokerUsers) await rabbitmqctl('delete_user', user).catch(() => undefined);
  });

  it('starts every service with its compose command and generated secrets, and signs the first agent in with the printed password', async () => {
    const ports: Record<string, string> = {};
    for (const name of ['reseller-settings', 'tickets', 'auth']) {
      const service = services[name];
      // Each service's own generated broker user, named for this test (the machine's broker is shared).
      const env = composeEnvHere(
        service.environment ?? {},
        { database, vhost, secretsDir, port: await freePort(), managementPort: await freePort() },
        suffix,
      );
      expect(env.NODE_ENV).toBe('development');
      const child = startLikeCompose(service, env, (text) => appendFileSync(join(logDir, `${name}.log`), text));
      running.push(child);
      ports[name] = env.PORT;
      await eventually(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`${name} exited with ${child.exitCode}; see ${logDir}/${name}.log`);
          if (!(await runHealthcheck(service, env))) throw new Error(`${name} is not healthy yet`);
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    }
    const password = /signs in as "agent" with the password (\S+)/.exec(printed)?.[1];
    expect(password).toBe(readFileSync(join(secretsDir, 'bootstrap_agent_password'), 'utf8').trim());
    const token = await login(`http://127.0.0.1:${ports.auth}`, 'agent', password!);
    const me = await fetch(`http://127.0.0.1:${ports.auth}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ username: 'agent', role: 'agent' });
  });
});
