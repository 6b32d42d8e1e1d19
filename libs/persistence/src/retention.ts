import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';

/**
 * Rows that are past their use — expired challenges, ended sessions, published events — would
 * grow without end. A sweeper in each service removes its own tables' such rows on a timer.
 * One replica sweeps at a time (a session-level advisory lock per schema, held for the whole
 * run, as the outbox relay's lock picks one publisher), and each batch is its own short
 * statement, so a big backlog never holds row locks for long or blocks the requests using
 * the rows that stay.
 */

/** One table's rows past retention, as its owner defines them. */
export interface RetentionRule {
  /** The table: names it in the log line and the metric. */
  table: string;
  /**
   * One DELETE of at most `$1` rows past retention (its own owner's SQL), given `params` as
   * `$2`…; a row that a running request holds is skipped (`FOR UPDATE SKIP LOCKED`), not waited for.
   */
  deleteBatch: string;
  params?: unknown[];
}

/**
 * The rule of a table whose rows carry an `id` and an `expires_at` after which none can be used
 * any more: those rows, once `keptMinutes` past that expiry (used or not).
 */
export const pastExpiry = (table: string, keptMinutes: number): RetentionRule => ({
  table,
  deleteBatch: `DELETE FROM ${table} WHERE id IN (
                  SELECT id FROM ${table} WHERE expires_at < now() - make_interval(mins => $2)
                   LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  params: [keptMinutes],
});

export interface RetentionOptions {
  rules: RetentionRule[];
  /** Time between runs; the first comes after this or 30 s, whichever is shorter. */
  intervalMs: number;
  /** Rows removed per statement. */
  batchSize: number;
}

export type RetentionRun =
  { outcome: 'ran'; removed: Record<string, number>; failed: string[] } | { outcome: 'skipped' };

export const retentionRowsRemoved = new Counter({
  name: 'pbx2fa_retention_rows_removed_total',
  help: 'Rows removed because they were past their retention, by table',
  labelNames: ['table'] as const,
});

const retentionRuns = new Counter({
  name: 'pbx2fa_retention_runs_total',
  help: 'Retention runs by outcome: ran, skipped (another replica held the lock), failed',
  labelNames: ['outcome'] as const,
});

const LOCK_KEY = "hashtext('pbx2fa:retention:' || current_schema())";
const FIRST_RUN_AT_MOST_MS = 30_000;

export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: RetentionOptions,
  ) {
    for (const rule of options.rules) retentionRowsRemoved.inc({ table: rule.table }, 0);
  }

  onApplicationBootstrap(): void {
    this.schedule(Math.min(this.options.intervalMs, FIRST_RUN_AT_MOST_MS));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: Error) => {
          retentionRuns.inc({ outcome: 'failed' });
          this.logger.warn(`retention run failed, next in ${this.options.intervalMs} ms: ${error.message}`);
        })
        .finally(() => {
          this.running = null;
          this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /**
   * Removes every rule's rows past retention, batch by batch, unless another replica is doing
   * it now. A rule that fails (its table is locked by a migration, say) does not stop the others.
   */
  async runOnce(): Promise<RetentionRun> {
    const startedAt = Date.now();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`)) as {
        locked: boolean;
      }[];
      if (!locked) {
        retentionRuns.inc({ outcome: 'skipped' });
        this.logger.debug('retention run skipped: another replica is running it');
        return { outcome: 'skipped' };
      }
      try {
        const removed: Record<string, number> = {};
        const failed: string[] = [];
        for (const rule of this.options.rules) {
          removed[rule.table] = 0;
          try {
            for (;;) {
              const result = await runner.query(
                rule.deleteBatch,
                [this.options.batchSize, ...(rule.params ?? [])],
                true,
              );
              const count = result.affected ?? 0;
              removed[rule.table] += count;
              retentionRowsRemoved.inc({ table: rule.table }, count);
              if (count < this.options.batchSize || this.stopped) break;
            }
          } catch (error) {
            failed.push(rule.table);
            this.logger.warn(`retention: could not remove rows of ${rule.table}: ${(error as Error).message}`);
          }
        }
        retentionRuns.inc({ outcome: failed.length ? 'failed' : 'ran' });
        const summary = Object.entries(removed)
          .map(([table, count]) => `${table}=${count}`)
          .join(' ');
        this.logger.log(
          `retention: removed rows past retention: ${summary} (${Date.now() - startedAt} ms${failed.length ? `; failed: ${failed.join(', ')}` : ''})`,
        );
        return { outcome: 'ran', removed, failed };
      } finally {
        // Only a broken connection fails this, and the pool closes a broken connection (the lock with it).
        await runner.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
      }
    } finally {
      await runner.release();
    }
  }
}
