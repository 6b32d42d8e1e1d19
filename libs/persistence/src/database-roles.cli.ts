import { z } from 'zod';
import { exitOnConfigError, loadEnv, postgresUrl, withPassword } from '@pbx2fa/config';
import { ensureServiceRoles, type ServiceWithSchema } from './service-roles';

/**
 * `npm run database-roles`: as the PostgreSQL superuser, makes each service's own role, owning its
 * schema (README, "Database roles"). Compose runs it as the one-shot `database-roles` service
 * before the services start, at every `docker compose up`; run it again after changing a password.
 *
 *   DATABASE_ADMIN_URL (+ DATABASE_ADMIN_PASSWORD[_FILE])   the superuser, any database of the cluster
 *   AUTH_DATABASE_URL, TICKETS_DATABASE_URL, RESELLER_SETTINGS_DATABASE_URL (+ *_DATABASE_PASSWORD[_FILE])
 *       each service's DATABASE_URL, as the service is given it: its role and its database
 */
const SERVICES: Record<ServiceWithSchema, 'AUTH' | 'TICKETS' | 'RESELLER_SETTINGS'> = {
  auth: 'AUTH',
  tickets: 'TICKETS',
  'reseller-settings': 'RESELLER_SETTINGS',
};
const PASSWORDS = [
  'DATABASE_ADMIN_PASSWORD',
  ...Object.values(SERVICES).map((prefix) => `${prefix}_DATABASE_PASSWORD`),
];

const password = z.string().min(1).optional();
const schema = z.object({
  DATABASE_ADMIN_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/postgres'),
  DATABASE_ADMIN_PASSWORD: password,
  AUTH_DATABASE_URL: postgresUrl,
  AUTH_DATABASE_PASSWORD: password,
  TICKETS_DATABASE_URL: postgresUrl,
  TICKETS_DATABASE_PASSWORD: password,
  RESELLER_SETTINGS_DATABASE_URL: postgresUrl,
  RESELLER_SETTINGS_DATABASE_PASSWORD: password,
});
type Env = z.infer<typeof schema>;

async function main(): Promise<void> {
  let env: Env;
  try {
    env = loadEnv(schema, process.env, PASSWORDS);
  } catch (error) {
    exitOnConfigError(error);
  }
  // A password given on its own goes into its URL, as the services do with DATABASE_PASSWORD.
  const url = (prefix: 'DATABASE_ADMIN' | `${(typeof SERVICES)[ServiceWithSchema]}_DATABASE`) => {
    const password = env[`${prefix}_PASSWORD`];
    return password ? withPassword(env[`${prefix}_URL`], password) : env[`${prefix}_URL`];
  };
  const outcomes = await ensureServiceRoles(
    url('DATABASE_ADMIN'),
    Object.entries(SERVICES).map(([service, prefix]) => ({
      service: service as ServiceWithSchema,
      url: url(`${prefix}_DATABASE`),
    })),
  );
  for (const outcome of outcomes) {
    const changes = [
      outcome.created ? 'created' : 'exists',
      outcome.passwordSet ? 'password set' : 'password unchanged',
      ...(outcome.objectsMoved ? [`${outcome.objectsMoved} object(s) it did not own given to it`] : []),
    ];
    process.stdout.write(
      `${outcome.service}: role ${outcome.role} owns schema ${outcome.schema} in database ${outcome.database} (${changes.join(', ')})\n`,
    );
  }
}

main().catch((error: Error) => {
  process.stderr.write(`database-roles: ${error.message}\n`);
  process.exit(1);
});
