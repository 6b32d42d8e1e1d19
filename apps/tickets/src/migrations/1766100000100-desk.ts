import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The desk: who works on a ticket, and agents' notes that the reseller never sees. */
export class Desk1766100000100 implements MigrationInterface {
  name = 'Desk1766100000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tickets ADD COLUMN assignee text');
    await queryRunner.query(
      'CREATE INDEX tickets_by_assignee ON tickets (assignee, created_at, id) WHERE assignee IS NOT NULL',
    );
    await queryRunner.query('ALTER TABLE ticket_comments ADD COLUMN internal boolean NOT NULL DEFAULT false');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE ticket_comments DROP COLUMN internal');
    await queryRunner.query('DROP INDEX tickets_by_assignee');
    await queryRunner.query('ALTER TABLE tickets DROP COLUMN assignee');
  }
}
