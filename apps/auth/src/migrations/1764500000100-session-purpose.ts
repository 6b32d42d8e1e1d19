import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A session is either a full sign-in (`access`) or one that may only set up a second factor (`enrollment`). */
export class SessionPurpose1764500000100 implements MigrationInterface {
  name = 'SessionPurpose1764500000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE sessions ADD COLUMN purpose text NOT NULL DEFAULT 'access' CHECK (purpose IN ('access', 'enrollment'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sessions DROP COLUMN purpose');
  }
}
