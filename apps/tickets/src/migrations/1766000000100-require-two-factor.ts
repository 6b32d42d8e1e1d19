import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `require_2fa` tickets, which carry the days of grace the reseller's users get to enroll (0–90). */
export class RequireTwoFactor1766000000100 implements MigrationInterface {
  name = 'RequireTwoFactor1766000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tickets DROP CONSTRAINT tickets_type_check');
    await queryRunner.query(
      `ALTER TABLE tickets ADD CONSTRAINT tickets_type_check
         CHECK (type IN ('enable_2fa', 'require_2fa', 'disable_2fa', 'reset_user_2fa', 'general'))`,
    );
    await queryRunner.query(
      `ALTER TABLE tickets ADD COLUMN grace_days int CHECK (grace_days BETWEEN 0 AND 90),
         ADD CONSTRAINT tickets_grace_days_only_for_require CHECK ((type = 'require_2fa') = (grace_days IS NOT NULL))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tickets DROP COLUMN grace_days');
    await queryRunner.query('ALTER TABLE tickets DROP CONSTRAINT tickets_type_check');
    await queryRunner.query(
      `ALTER TABLE tickets ADD CONSTRAINT tickets_type_check
         CHECK (type IN ('enable_2fa', 'disable_2fa', 'reset_user_2fa', 'general'))`,
    );
  }
}
