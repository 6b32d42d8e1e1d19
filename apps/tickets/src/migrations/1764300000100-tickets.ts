import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Tickets1764300000100 implements MigrationInterface {
  name = 'Tickets1764300000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reseller_id text NOT NULL,
        type text NOT NULL CHECK (type IN ('enable_2fa', 'disable_2fa', 'reset_user_2fa', 'general')),
        subject text NOT NULL,
        description text NOT NULL DEFAULT '',
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'resolved', 'rejected', 'closed')),
        opened_by text NOT NULL,
        target_username text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        decided_by text,
        decided_at timestamptz,
        resolution text,
        CONSTRAINT tickets_target_only_for_reset CHECK ((type = 'reset_user_2fa') = (target_username IS NOT NULL))
      )`);
    // Listing is newest first with (created_at, id) as the keyset: per reseller, per status, and all.
    await queryRunner.query('CREATE INDEX tickets_by_reseller ON tickets (reseller_id, created_at DESC, id DESC)');
    await queryRunner.query('CREATE INDEX tickets_by_status ON tickets (status, created_at DESC, id DESC)');
    await queryRunner.query('CREATE INDEX tickets_by_time ON tickets (created_at DESC, id DESC)');

    // `position` orders entries written in one transaction, where now() is the same for all.
    await queryRunner.query(`
      CREATE TABLE ticket_comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        position bigserial NOT NULL,
        ticket_id uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        author text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX ticket_comments_by_ticket ON ticket_comments (ticket_id, position)');

    await queryRunner.query(`
      CREATE TABLE ticket_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        position bigserial NOT NULL,
        ticket_id uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        actor text NOT NULL,
        action text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        note text,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX ticket_history_by_ticket ON ticket_history (ticket_id, position)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ticket_history');
    await queryRunner.query('DROP TABLE ticket_comments');
    await queryRunner.query('DROP TABLE tickets');
  }
}
