import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbox and inbox, the same in every service's own schema. */
export class MessagingTables1764300000000 implements MigrationInterface {
  name = 'MessagingTables1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox (
        position bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        event_name text NOT NULL,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text
      )`);
    await queryRunner.query(`CREATE INDEX outbox_unpublished ON outbox (position) WHERE published_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE inbox (
        event_id uuid PRIMARY KEY,
        event_name text NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE inbox');
    await queryRunner.query('DROP TABLE outbox');
  }
}

/**
 * What an event did, once: an approval re-published under a new event id (by hand, or by a
 * producer's bug) must not apply twice — a second reset would wipe the authenticator the user
 * enrolled since, a stale disable would turn 2FA off again.
 */
export class InboxEffectKeys1764400000000 implements MigrationInterface {
  name = 'InboxEffectKeys1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE inbox ADD COLUMN effect_key text UNIQUE');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE inbox DROP COLUMN effect_key');
  }
}
