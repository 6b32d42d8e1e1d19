import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where a user's security mail goes (optional: a user without one gets none). */
export class UserEmail1766200000000 implements MigrationInterface {
  name = 'UserEmail1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users ADD COLUMN IF NOT EXISTS email text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users DROP COLUMN email');
  }
}
