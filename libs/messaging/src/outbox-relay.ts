import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BrokerPublisher } from './broker-publisher';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OutboxMessage } from './outbox-message.entity';
import { firstOfEachKey, orderingKey } from './ordering';

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
      let round: PublishRound;
      do {
        round = await this.publishRound();
        if (round.error) throw new Error(round.error);
      } while (round.more && !this.stopped);
      this.failures = 0;
      this.schedule(this.options.outboxPollMs);
    } catch (error) {
      this.failures += 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 7));
      this.logger.warn(
        `outbox publish failed (try ${this.failures}, next in ${backoff} ms): ${(error as Error).message}`,
      );
      this.schedule(backoff);
    }
  }

  /**
   * Publishes the oldest waiting message of each reseller, all at once, inside a transaction
   * holding the relay lock, and marks the confirmed ones. Only one message per reseller is ever
   * unconfirmed, so a refused or lost one cannot be overtaken by a later one of its reseller;
   * other resellers' messages may pass it, which consumers allow (see ordering.ts). The lock is
   * per schema: one replica of a service publishes at a time, without holding up the other
   * services sharing the database.
   */
  private async publishRound(): Promise<PublishRound> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query<{ locked: boolean }[]>(
        "SELECT pg_try_advisory_xact_lock(hashtext('pbx2fa:outbox-relay:' || current_schema())) AS locked",
      );
      if (!locked) return { more: false };
      const pending = await manager
        .getRepository(OutboxMessage)
        .createQueryBuilder('m')
        .where('m.published_at IS NULL')
        .orderBy('m.position', 'ASC')
        .limit(BATCH_SIZE)
        .getMany();
      const round = firstOfEachKey(pending, (message) => orderingKey(message.envelope));
      const outcomes = await Promise.allSettled(round.map((message) => this.publisher.publish(message.envelope)));
      const confirmed = round.filter((_, i) => outcomes[i].status === 'fulfilled').map((message) => message.position);
      const refused = round.flatMap((message, i) => {
        const outcome = outcomes[i];
        return outcome.status === 'rejected'
          ? [
              {
                position: message.position,
                error: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason),
              },
            ]
          : [];
      });
      if (confirmed.length > 0) {
        await manager.query(
          'UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE position = ANY($1::bigint[])',
          [confirmed],
        );
      }
      if (refused.length > 0) {
        await manager.query(
          'UPDATE outbox SET attempts = attempts + 1, last_error = failed.error FROM unnest($1::bigint[], $2::text[]) AS failed(position, error) WHERE outbox.position = failed.position',
          [refused.map((failure) => failure.position), refused.map((failure) => failure.error)],
        );
      }
      // A full batch may have more behind it, even when every message in it was confirmed.
      return { more: pending.length === BATCH_SIZE || pending.length > confirmed.length, error: refused[0]?.error };
    });
  }
}

interface PublishRound {
  /** Messages are still waiting (of a reseller that had one in this round, or beyond the batch). */
  more: boolean;
  error?: string;
}
