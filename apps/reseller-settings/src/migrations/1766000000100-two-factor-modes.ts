import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A reseller's 2FA mode (off / optional / required), the enrollment deadline of `required`, and
 * how long a remembered device lasts. `two_factor_enabled` stays, written with the mode (true
 * unless off), so a replica of the previous version keeps working during an upgrade.
 */
export class TwoFactorModes1766000000100 implements MigrationInterface {
  name = 'TwoFactorModes1766000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE resellers
         ADD COLUMN two_factor_mode text NOT NULL DEFAULT 'off' CHECK (two_factor_mode IN ('off', 'optional', 'required')),
         ADD COLUMN enroll_by timestamptz,
         ADD COLUMN remember_device_days int NOT NULL DEFAULT 30 CHECK (remember_device_days >= 0)`,
    );
    await queryRunner.query(`UPDATE resellers SET two_factor_mode = 'optional' WHERE two_factor_enabled`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE resellers DROP COLUMN remember_device_days, DROP COLUMN enroll_by, DROP COLUMN two_factor_mode',
    );
  }
}
