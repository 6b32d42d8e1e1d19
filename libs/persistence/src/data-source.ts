import { DataSource, type DataSourceOptions } from 'typeorm';
import { ensureDatabase } from './ensure-database';

export interface ServiceDatabaseOptions {
  url: string;
  /** The service's own schema; nothing else reads its tables. */
  schema: string;
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
  poolSize?: number;
}

export function dataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // Nothing here needs an extension (gen_random_uuid() is built in), and a service's own role may create none.
    installExtensions: false,
    // Raw SQL (migrations, repositories) resolves unqualified names in the service's schema.
    // A database that does not answer is reported within the 5 s the contract allows, not waited for.
    extra: { options: `-c search_path=${options.schema}`, max: options.poolSize ?? 10, connectionTimeoutMillis: 3000 },
  };
}

/** Serialises migrations across replicas that start together. */
function advisoryKey(schema: string): number {
  let hash = 0;
  for (const char of `pbx2fa:migrate:${schema}`) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return hash;
}

/**
 * Creates the database and schema if missing, then runs pending migrations under an advisory
 * lock so that two replicas starting at once do not both migrate. A service's own role (README,
 * "Database roles") finds both made for it, and owns the schema, so it migrates it.
 */
export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<DataSource> {
  await ensureDatabase(options.url);
  const dataSource = new DataSource(dataSourceOptions(options));
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [advisoryKey(options.schema)]);
    // Looked up first: CREATE SCHEMA IF NOT EXISTS asks for a right on the database even when the schema exists.
    const [{ found }] = (await runner.query('SELECT count(*)::int AS found FROM pg_namespace WHERE nspname = $1', [
      options.schema,
    ])) as { found: number }[];
    if (!found) await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [advisoryKey(options.schema)]).catch(() => undefined);
    await runner.release();
  }
  return dataSource;
}
