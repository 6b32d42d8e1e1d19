import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A throwaway database for one test file, named so it can never be the development one. */
export function newTestDatabase(label: string): TestDatabase {
  return testDatabaseNamed(`${label}_${randomBytes(4).toString('hex')}`);
}

/** A test database by name (prefixed `pbx2fa_test_`), e.g. one a mutation-testing worker keeps between runs. */
export function testDatabaseNamed(label: string): TestDatabase {
  const name = `pbx2fa_test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
