import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's copy of each reseller's 2FA mode (off / optional / required), its enrollment
 * deadline and remembered-device days; and when each user last signed in (for the Users view).
 * `two_factor_enabled` stays, written with the mode, for the previous version during an upgrade.
 */
export class ResellerModesAndLastLogin1766000000200 implements MigrationInterface {
  name = 'ResellerModesAndLastLogin1766000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE reseller_policies
         ADD COLUMN two_factor_mode text NOT NULL DEFAULT 'off' CHECK (two_factor_mode IN ('off', 'optional', 'required')),
         ADD COLUMN enroll_by timestamptz,
         ADD COLUMN remember_device_days int NOT NULL DEFAULT 30 CHECK (remember_device_days >= 0)`,
    );
    await queryRunner.query(`UPDATE reseller_policies SET two_factor_mode = 'optional' WHERE two_factor_enabled`);
    await queryRunner.query('ALTER TABLE users ADD COLUMN last_login_at timestamptz');
    // The Users view pages through one reseller's users by name, in byte order.
    await queryRunner.query(
      'CREATE INDEX IF NOT EXISTS users_reseller_username ON users (reseller_id, username COLLATE "C")',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX users_reseller_username');
    await queryRunner.query('ALTER TABLE users DROP COLUMN last_login_at');
    await queryRunner.query(
      'ALTER TABLE reseller_policies DROP COLUMN remember_device_days, DROP COLUMN enroll_by, DROP COLUMN two_factor_mode',
    );
  }
}
