import { DataSource, type EntityManager } from 'typeorm';

/**
 * Runs SQL and returns its rows whatever the statement. TypeORM's plain `query()` answers an
 * UPDATE or DELETE with `[rows, rowCount]` but a SELECT or INSERT with `rows`; a structured
 * result through a query runner is the same for all.
 */
export async function queryRows<T = Record<string, unknown>>(
  executor: DataSource | EntityManager,
  sql: string,
  parameters: unknown[] = [],
): Promise<T[]> {
  const manager = executor instanceof DataSource ? executor.manager : executor;
  const ownRunner = !manager.queryRunner;
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, parameters, true);
    return result.records as T[];
  } finally {
    if (ownRunner) await runner.release();
  }
}
