import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { scramVerifier } from '@pbx2fa/persistence';
import { connect, type Gateway, type ResellerView, type SignedInUser } from './support/api';
import { createDatabaseRoles, type DatabaseRoles } from './support/database-roles';
import { dropRoles } from './support/infrastructure';
import { POSTGRES_ADMIN_URL, SERVICES, startStack, type ServiceName, type Stack } from './support/stack';
import { enroll, signInWithPasscode, switchResellerTwoFactor, type EnrolledUser } from './support/two-factor';
import { query } from './support/wire';

const run = promisify(execFile);

/** Each service's schema and a table in it that another service would want. */
const SCHEMAS: Record<ServiceName, { schema: string; table: string }> = {
  auth: { schema: 'auth', table: 'two_factor_credentials' },
  tickets: { schema: 'tickets', table: 'tickets' },
  'reseller-settings': { schema: 'reseller_settings', table: 'resellers' },
};
const PERMISSION_DENIED = '42501';

/** Runs one statement as a service's role; resolves with PostgreSQL's refusal, or null when it was done. */
async function refusal(url: string, sql: string): Promise<{ code: string; message: string } | null> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
    return null;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  } finally {
    await client.end();
  }
}

const databaseOf = (stack: Stack) => new URL(stack.databaseUrl).pathname.slice(1);

const tableOwners = (stack: Stack, schema: string) =>
  query<{ owner: string }>(
    stack.databaseUrl,
    'SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = $1',
    [schema],
  ).then((rows) => rows.map((row) => row.owner));

/** What each service's role may touch: its own schema and nothing else (README, "Database roles"). */
const others = SERVICES.flatMap((service) =>
  SERVICES.filter((target) => target !== service).map((target) => [service, target] as const),
);

/**
 * Each service connects to PostgreSQL as its own role, made by `npm run database-roles` — the
 * command compose's one-shot runs — as the superuser, which no service uses. The story runs as
 * before, and one service's role can neither read, change nor plant anything in another's schema.
 */
describe('one PostgreSQL role per service', () => {
  let stack: Stack;
  let gw: Gateway;
  let reseller: ResellerView;
  let admin: SignedInUser;
  let alice: EnrolledUser;
  /** Roles a test makes besides the stack's; dropped after its database. */
  const scratchRoles: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ databaseRoles: true });
    gw = await connect(stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await dropRoles(scratchRoles);
  });

  it('runs the story with every service as its own role: an approval turns 2FA on, a user enrolls and signs in', async () => {
    reseller = await gw.factory.reseller();
    admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    const ticket = await switchResellerTwoFactor(gw, admin, true);
    expect(ticket.status).toBe('resolved');
    alice = await enroll(await gw.factory.signedInUser({ resellerId: reseller.id, email: 'alice@example.com' }));
    const token = await signInWithPasscode(gw.anon, alice);
    expect((await gw.anon.as(token).get('/auth/me')).body).toMatchObject({ username: alice.username });
    // The audit log's trigger queued her security mail, under the gateway's own role.
    const queued = await query(stack.databaseUrl, 'SELECT 1 FROM auth.security_mail_outbox WHERE user_id = $1', [
      alice.id,
    ]);
    expect(queued.length).toBeGreaterThan(0);
  });

  it.each(SERVICES)(
    '%s migrated its schema as its own role: it owns every table there, and is no superuser',
    async (service) => {
      const role = new URL(stack.databaseUrlAs(service)).username;
      expect(role).not.toBe('postgres');
      expect(await tableOwners(stack, SCHEMAS[service].schema)).toEqual([role]);
      const [rights] = await query(
        stack.databaseUrl,
        'SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = $1',
        [role],
      );
      expect(rights).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolbypassrls: false });
    },
  );

  it.each(others)("%s's role cannot read %s's tables", async (service, target) => {
    const { schema, table } = SCHEMAS[target];
    // Its own tables, yes: the refusal below is about whose they are.
    expect(
      await refusal(stack.databaseUrlAs(service), `SELECT FROM ${SCHEMAS[service].schema}.outbox LIMIT 1`),
    ).toBeNull();
    expect(await refusal(stack.databaseUrlAs(service), `SELECT * FROM ${schema}.${table} LIMIT 1`)).toEqual({
      code: PERMISSION_DENIED,
      message: `permission denied for schema ${schema}`,
    });
  });

  it.each(others)("%s's role cannot change %s's tables or plant anything in its schema", async (service, target) => {
    const { schema, table } = SCHEMAS[target];
    const url = stack.databaseUrlAs(service);
    for (const sql of [
      `DELETE FROM ${schema}.${table}`,
      `CREATE TABLE ${schema}.planted (id int)`,
      `CREATE FUNCTION ${schema}.planted() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
    ]) {
      expect({ sql, refusal: await refusal(url, sql) }).toEqual({
        sql,
        refusal: { code: PERMISSION_DENIED, message: `permission denied for schema ${schema}` },
      });
    }
  });

  it('after every attempt, Alice still needs and passes her passcode and the ticket is still there', async () => {
    const token = await signInWithPasscode(gw.anon, alice);
    expect((await gw.anon.as(token).get('/auth/me')).body.twoFactor).toMatchObject({
      availableForReseller: true,
      enabled: true,
    });
    const mine = await admin.client.get('/tickets');
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(1);
  });

  it.each(SERVICES)('%s’s role can make no schema of its own, nor anything in public', async (service) => {
    const url = stack.databaseUrlAs(service);
    expect(await refusal(url, 'CREATE SCHEMA planted')).toEqual({
      code: PERMISSION_DENIED,
      message: `permission denied for database ${databaseOf(stack)}`,
    });
    expect(await refusal(url, 'CREATE TABLE public.planted (id int)')).toEqual({
      code: PERMISSION_DENIED,
      message: 'permission denied for schema public',
    });
  });

  it("stores each role's password as PostgreSQL's own SCRAM verifier of it, never the password", async () => {
    const url = new URL(stack.databaseUrlAs('auth'));
    /** The role's stored verifier, and the one `scramVerifier` makes of the password with its salt. */
    const verifiers = async () => {
      const [{ stored }] = await query<{ stored: string }>(
        stack.databaseUrl,
        'SELECT rolpassword AS stored FROM pg_authid WHERE rolname = $1',
        [url.username],
      );
      const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored) ?? [];
      return { stored, made: scramVerifier(url.password, Buffer.from(salt, 'base64'), Number(iterations)) };
    };
    const fromScript = await verifiers();
    expect(fromScript.stored).toBe(fromScript.made);
    // The same function gives what PostgreSQL itself makes of the password sent in clear.
    await query(stack.databaseUrl, `ALTER ROLE "${url.username}" PASSWORD '${url.password}'`);
    const fromPostgres = await verifiers();
    expect(fromPostgres.stored).not.toBe(fromScript.stored);
    expect(fromPostgres.stored).toBe(fromPostgres.made);
  });

  it('refuses to give a service the superuser, or two services one role, and changes nothing', async () => {
    const cli = join(__dirname, '..', 'dist', 'libs', 'persistence', 'src', 'database-roles.cli.js');
    const database = databaseOf(stack);
    const urlAs = (role: string) => `postgres://${role}@127.0.0.1:5432/${database}`;
    const attempt = (roles: [string, string, string]) =>
      run(process.execPath, [cli], {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_ADMIN_URL: POSTGRES_ADMIN_URL,
          AUTH_DATABASE_URL: urlAs(roles[0]),
          TICKETS_DATABASE_URL: urlAs(roles[1]),
          RESELLER_SETTINGS_DATABASE_URL: urlAs(roles[2]),
        },
      }).then(
        () => 'done',
        (error: { code: number; stderr: string }) => `${error.code}: ${error.stderr.trim()}`,
      );
    const own = (service: ServiceName) => new URL(stack.databaseUrlAs(service)).username;
    // A superuser of this test's own, not the machine's: were the check gone, the command would demote it.
    const superuser = `${database}_superuser`;
    await query(stack.databaseUrl, `CREATE ROLE "${superuser}" SUPERUSER`);
    scratchRoles.push(superuser);
    expect(await attempt([own('auth'), superuser, own('reseller-settings')])).toBe(
      `1: database-roles: tickets: ${superuser} is a superuser; a service connects as a role of its own`,
    );
    const [still] = await query(stack.databaseUrl, 'SELECT rolsuper FROM pg_roles WHERE rolname = $1', [superuser]);
    expect(still).toEqual({ rolsuper: true });
    expect(await attempt([own('auth'), own('auth'), own('reseller-settings')])).toBe(
      `1: database-roles: auth and tickets both connect as ${own('auth')}: each needs its own role`,
    );
    expect(await tableOwners(stack, 'tickets')).toEqual([own('tickets')]);
  });
});

/**
 * A deployment from before the roles (every service the superuser, its tables the superuser's),
 * or a dump restored with `--no-owner`: running `npm run database-roles` gives each role what its
 * schema holds, and the services, restarted as their roles, carry on with the same data.
 */
describe('moving a running deployment to one role per service', () => {
  let stack: Stack;
  let roles: DatabaseRoles | undefined;
  let admin: SignedInUser;
  let bob: EnrolledUser;

  beforeAll(async () => {
    stack = await startStack();
    const gw = await connect(stack);
    const reseller = await gw.factory.reseller();
    admin = await gw.factory.signedInUser({ resellerId: reseller.id, role: 'reseller_admin' });
    await switchResellerTwoFactor(gw, admin, true);
    bob = await enroll(await gw.factory.signedInUser({ resellerId: reseller.id }));
  });

  afterAll(async () => {
    await stack?.stop();
    await roles?.drop();
  });

  it("gives each service's role its schema and everything the superuser made in it", async () => {
    expect(await tableOwners(stack, 'auth')).toEqual(['postgres']);
    roles = await createDatabaseRoles(POSTGRES_ADMIN_URL, databaseOf(stack));
    expect(roles.output).toMatch(
      /auth: role \S+ owns schema auth in database \S+ \(created, password set, \d+ object\(s\) it did not own given to it\)/,
    );
    for (const service of SERVICES)
      expect(await tableOwners(stack, SCHEMAS[service].schema)).toEqual([roles.roles[service]]);
  });

  it('restarted as their roles, the services keep every user and setting, and the next approval takes effect', async () => {
    for (const service of ['reseller-settings', 'tickets', 'auth'] as const)
      await stack.restart(service, undefined, { DATABASE_URL: roles!.urls[service] });
    const gw = await connect(stack);
    await signInWithPasscode(gw.anon, bob);
    // The next change goes through all three, each now as its own role.
    await switchResellerTwoFactor(gw, admin, false);
    const me = await gw.anon.as(await gw.login(bob.username, bob.password)).get('/auth/me');
    expect(me.body.twoFactor).toMatchObject({ availableForReseller: false });
  }, 300_000);
});
