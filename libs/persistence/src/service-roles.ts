import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Each service connects to PostgreSQL as a role of its own that owns the service's schema and
 * nothing else, and has no right on the other services' schemas (README, "Database roles"). The
 * superuser is used only to make the roles, here — by compose's one-shot `database-roles` service
 * or an operator's `npm run database-roles` — never by a running service. Everything here is
 * idempotent: run again, it sets the passwords given (a rotation) and moves to each role whatever
 * its schema holds that another owner made (a deployment from before the roles, a restore with
 * `--no-owner`).
 */

/** Each service's schema: its tables, outbox, inbox and migrations live there, and nowhere else. */
export const ServiceSchemas = { auth: 'auth', tickets: 'tickets', 'reseller-settings': 'reseller_settings' } as const;
export type ServiceWithSchema = keyof typeof ServiceSchemas;

export interface ServiceRoleRequest {
  service: ServiceWithSchema;
  /** The service's DATABASE_URL: its role (user, and password if any) and the database it uses. */
  url: string;
}

export interface ServiceRoleOutcome {
  service: ServiceWithSchema;
  role: string;
  database: string;
  schema: string;
  created: boolean;
  passwordSet: boolean;
  /** Objects in the schema that another role owned and that the service's role owns now. */
  objectsMoved: number;
}

interface Plan {
  service: ServiceWithSchema;
  schema: string;
  role: string;
  password: string | null;
  database: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The password as PostgreSQL stores it (SCRAM-SHA-256, RFC 5802/7677, 4096 iterations as
 * PostgreSQL's default), made here so that the password itself never reaches the server, where a
 * failed statement would be logged with it. Only printable ASCII: PostgreSQL normalises other
 * text (SASLprep) in ways this does not repeat.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function plan(requests: ServiceRoleRequest[]): Plan[] {
  const plans = requests.map(({ service, url }) => {
    const parsed = new URL(url);
    const role = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password) || null;
    if (!role) throw new Error(`${service}: its database URL names no user (the service's role)`);
    if (password !== null && !/^[\x20-\x7e]+$/.test(password))
      throw new Error(`${service}: the password of ${role} must be printable ASCII`);
    return {
      service,
      schema: ServiceSchemas[service],
      role,
      password,
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    };
  });
  for (const [index, entry] of plans.entries()) {
    const other = plans.findIndex((candidate, at) => at !== index && candidate.role === entry.role);
    if (other !== -1)
      throw new Error(
        `${entry.service} and ${plans[other].service} both connect as ${entry.role}: each needs its own role`,
      );
  }
  return plans;
}

async function withClient<T>(url: string, database: string | null, work: (client: Client) => Promise<T>): Promise<T> {
  const target = new URL(url);
  if (database !== null) target.pathname = `/${encodeURIComponent(database)}`;
  const client = new Client({ connectionString: target.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Every object in `schema` another role owns, as the statements that give it to `role`: tables,
 * views and sequences of their own (a column's sequence, indexes and triggers go with their
 * table), then functions, then types. Objects of an extension stay its owner's.
 */
const OBJECTS_TO_MOVE = `
  SELECT format('ALTER %s %s OWNER TO %I', kind, name, $2::text) AS statement
  FROM (
    SELECT 1 AS pass, c.oid AS objid, 'pg_class'::regclass AS classid, c.relowner AS owner, c.oid::regclass::text AS name,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                          WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind
      FROM pg_class c
     WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
       AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND c.relkind = 'S' AND d.deptype IN ('a', 'i'))
    UNION ALL
    SELECT 2, p.oid, 'pg_proc'::regclass, p.proowner, p.oid::regprocedure::text, 'ROUTINE'
      FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
    UNION ALL
    SELECT 3, t.oid, 'pg_type'::regclass, t.typowner, t.oid::regtype::text, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END
      FROM pg_type t
     WHERE t.typnamespace = $1::regnamespace
       AND (t.typtype IN ('d', 'e', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
  ) objects
  WHERE owner <> $2::regrole
    AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = objects.classid AND e.objid = objects.objid AND e.deptype = 'e')
  ORDER BY pass, name`;

/**
 * Makes each service's database URL work as a role of its own, owning its schema, with no right
 * on another service's schema, no superuser, no CREATEDB, no CREATEROLE. `adminUrl` connects as
 * a superuser (any database of the cluster). Databases that do not exist yet are created.
 */
export async function ensureServiceRoles(
  adminUrl: string,
  requests: ServiceRoleRequest[],
): Promise<ServiceRoleOutcome[]> {
  const plans = plan(requests);
  const outcomes = new Map<ServiceWithSchema, ServiceRoleOutcome>();

  await withClient(adminUrl, null, async (admin) => {
    // Checked for every service before anything changes.
    const existing = await admin.query<{ rolname: string; rolsuper: boolean }>(
      'SELECT rolname, rolsuper FROM pg_roles WHERE rolname = ANY($1)',
      [plans.map((entry) => entry.role)],
    );
    const superuser = plans.find((entry) => existing.rows.some((row) => row.rolname === entry.role && row.rolsuper));
    if (superuser)
      throw new Error(
        `${superuser.service}: ${superuser.role} is a superuser; a service connects as a role of its own`,
      );
    for (const entry of plans) {
      const created = !existing.rows.some((row) => row.rolname === entry.role);
      const password = entry.password === null ? '' : ` PASSWORD ${literal(scramVerifier(entry.password))}`;
      await admin.query(
        `${created ? 'CREATE' : 'ALTER'} ROLE ${quote(entry.role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS${password}`,
      );
      outcomes.set(entry.service, {
        service: entry.service,
        role: entry.role,
        database: entry.database,
        schema: entry.schema,
        created,
        passwordSet: entry.password !== null,
        objectsMoved: 0,
      });
    }
    for (const database of new Set(plans.map((entry) => entry.database))) {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${quote(database)}`);
      // Only the services' roles (and superusers) connect to it.
      await admin.query(`REVOKE ALL ON DATABASE ${quote(database)} FROM PUBLIC`);
      const roles = plans.filter((entry) => entry.database === database).map((entry) => quote(entry.role));
      await admin.query(`GRANT CONNECT ON DATABASE ${quote(database)} TO ${roles.join(', ')}`);
    }
  });

  for (const database of new Set(plans.map((entry) => entry.database))) {
    const here = plans.filter((entry) => entry.database === database);
    await withClient(adminUrl, database, async (admin) => {
      await admin.query('BEGIN');
      try {
        // What PostgreSQL 15 made the default; a database from an earlier version still lets anyone create here.
        await admin.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
        for (const entry of here) {
          const schema = quote(entry.schema);
          const exists = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [entry.schema]);
          if (exists.rowCount === 0) await admin.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${quote(entry.role)}`);
          else await admin.query(`ALTER SCHEMA ${schema} OWNER TO ${quote(entry.role)}`);
          const moves = await admin.query<{ statement: string }>(OBJECTS_TO_MOVE, [entry.schema, entry.role]);
          for (const { statement } of moves.rows) await admin.query(statement);
          outcomes.get(entry.service)!.objectsMoved = moves.rowCount ?? 0;
          const others = ['PUBLIC', ...here.filter((other) => other !== entry).map((other) => quote(other.role))];
          await admin.query(`REVOKE ALL ON SCHEMA ${schema} FROM ${others.join(', ')}`);
        }
        await admin.query('COMMIT');
      } catch (error) {
        await admin.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
  return plans.map((entry) => outcomes.get(entry.service)!);
}
