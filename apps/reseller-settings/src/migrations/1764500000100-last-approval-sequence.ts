import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The sequence number of the last approval applied to each reseller (0: none carried one yet). */
export class LastApprovalSequence1764500000100 implements MigrationInterface {
  name = 'LastApprovalSequence1764500000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE resellers ADD COLUMN last_approval_sequence bigint NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE resellers DROP COLUMN last_approval_sequence');
  }
}
