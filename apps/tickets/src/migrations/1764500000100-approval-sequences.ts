import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The order in which agents approved each reseller's 2FA tickets (see approval-sequence.repository.ts). */
export class ApprovalSequences1764500000100 implements MigrationInterface {
  name = 'ApprovalSequences1764500000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE approval_sequences (
        reseller_id text PRIMARY KEY,
        last_sequence bigint NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE approval_sequences');
  }
}
