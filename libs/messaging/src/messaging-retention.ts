import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { RetentionRule } from '@pbx2fa/persistence';

export interface MessagingRetention {
  /** Days an inbox entry without an effect key is kept after its event was handled. */
  inboxDays: number;
  /** Days an outbox row is kept after the broker confirmed it. */
  outboxDays: number;
}

/**
 * The inbox and outbox rows past their use (see the README, "Retention"):
 * - an outbox row once the broker has confirmed it, after `outboxDays` (kept that long only to
 *   answer "was it sent, and when"); a row not yet published is never removed;
 * - an inbox entry after `inboxDays`: long enough that a redelivery, or a dead letter replayed
 *   within that time, is still recognised by its event id;
 * - never an entry with an effect key: it is what keeps a ticket's decision from taking effect
 *   twice, and a dead letter or a re-published approval may come back at any time. There is one
 *   per decided ticket, so they grow as the tickets themselves do, not with traffic.
 */
export function messagingRetentionRules({ inboxDays, outboxDays }: MessagingRetention): RetentionRule[] {
  return [
    {
      table: 'outbox',
      deleteBatch: `DELETE FROM outbox WHERE position IN (
                      SELECT position FROM outbox WHERE published_at < now() - make_interval(days => $2)
                       ORDER BY published_at LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      params: [outboxDays],
    },
    {
      table: 'inbox',
      deleteBatch: `DELETE FROM inbox WHERE event_id IN (
                      SELECT event_id FROM inbox WHERE effect_key IS NULL AND handled_at < now() - make_interval(days => $2)
                       ORDER BY handled_at LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      params: [inboxDays],
    },
  ];
}

/** Lets each retention batch find its rows by age instead of reading the whole table. */
export class MessagingRetentionIndexes1765000000000 implements MigrationInterface {
  name = 'MessagingRetentionIndexes1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX IF NOT EXISTS outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE INDEX IF NOT EXISTS inbox_handled_without_effect ON inbox (handled_at) WHERE effect_key IS NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX inbox_handled_without_effect');
    await queryRunner.query('DROP INDEX outbox_published');
  }
}
