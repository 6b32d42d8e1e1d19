import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BrokerPublisher } from './broker-publisher';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OutboxMessage } from './outbox-message.entity';

const BATCH_SIZE = 200;
const MAX_BACKOFF_MS = 10_000;

/**
 * Moves committed outbox rows to the broker. Runs right after a commit (`kick`) and on a
 * timer; a row is marked published only after the broker confirmed it, so a crash in between
 * republishes it and consumers' inboxes drop the duplicate.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: BrokerPublisher,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onApplicationBootstrap(): void {
    // The broker is back: publish what waited now rather than when the backoff runs out.
    this.publisher.onConnect(() => {
      this.failures = 0;
      this.kick();
    });
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Publish now: called after a transaction that wrote to the outbox has committed. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), delayMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    try {
      let published: number;
      do {
        const batch = await this.publishBatch();
        if (batch.error) throw new Error(batch.error);
        published = batch.published;
      } while (published === BATCH_SIZE && !this.stopped);
      this.failures = 0;
      this.schedule(this.options.outboxPollMs);
    } catch (error) {
      this.failures += 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 7));
      this.logger.warn(`outbox publish failed (try ${this.failures}, next in ${backoff} ms): ${(error as Error).message}`);
      this.schedule(backoff);
    }
  }

  /**
   * Publishes one batch in order inside a transaction holding the relay lock; returns how many.
   * The lock is per schema: one replica of a service publishes at a time (which keeps its events
   * in order), without holding up the other services sharing the database.
   */
  private async publishBatch(): Promise<{ published: number; error?: string }> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query(
        "SELECT pg_try_advisory_xact_lock(hashtext('pbx2fa:outbox-relay:' || current_schema())) AS locked",
      );
      if (!locked) return { published: 0 };
      const pending = await manager
        .getRepository(OutboxMessage)
        .createQueryBuilder('m')
        .where('m.published_at IS NULL')
        .orderBy('m.position', 'ASC')
        .limit(BATCH_SIZE)
        .getMany();
      // One at a time, each confirmed before the next leaves: a message the broker refused or
      // never confirmed cannot be overtaken by the ones after it.
      const confirmed: string[] = [];
      let error: string | undefined;
      for (const message of pending) {
        try {
          await this.publisher.publish(message.envelope);
          confirmed.push(message.position);
        } catch (failure) {
          error = String((failure as Error)?.message ?? failure);
          await manager.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE position = $1', [message.position, error]);
          break;
        }
      }
      if (confirmed.length > 0) {
        await manager.query('UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE position = ANY($1::bigint[])', [confirmed]);
      }
      return { published: confirmed.length, error };
    });
  }
}
