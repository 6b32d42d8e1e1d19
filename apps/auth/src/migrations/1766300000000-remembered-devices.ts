import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remembered devices: a browser that completed a second factor with "Remember this device" may
 * skip it at the next password sign-ins. Only a SHA-256 hash of the device token is stored (the
 * token is 256 random bits, so a hash cannot be guessed back and needs neither salt nor slowness).
 *
 * A changed password forgets every device of its user, by a trigger, in the transaction that
 * changes it: whoever writes the password (today only an operator; later a change-password page),
 * a device remembered under the old one never outlives it. The function keeps the schema it was
 * made in, so an operator's session with another search_path fires it too.
 */
export class RememberedDevices1766300000000 implements MigrationInterface {
  name = 'RememberedDevices1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE remembered_devices (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        label text NOT NULL,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz,
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX remembered_devices_user ON remembered_devices (user_id, created_at)');
    await queryRunner.query('CREATE INDEX remembered_devices_expiry ON remembered_devices (expires_at)');
    await queryRunner.query(`
      CREATE FUNCTION forget_remembered_devices() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        DELETE FROM remembered_devices WHERE user_id = NEW.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER users_password_change_forgets_devices AFTER UPDATE OF password_hash ON users
        FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash)
        EXECUTE FUNCTION forget_remembered_devices()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER users_password_change_forgets_devices ON users');
    await queryRunner.query('DROP FUNCTION forget_remembered_devices()');
    await queryRunner.query('DROP TABLE remembered_devices');
  }
}
