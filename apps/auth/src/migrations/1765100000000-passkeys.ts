import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Passkeys (WebAuthn credentials) and the challenges handed out for them. A public key is stored
 * as it is (it is no secret); a credential id is unique across all users, so one credential can
 * never belong to two accounts. Challenges are single use (`consumed_at`) and short-lived.
 */
export class Passkeys1765100000000 implements MigrationInterface {
  name = 'Passkeys1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE passkeys (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        credential_id text NOT NULL UNIQUE,
        public_key bytea NOT NULL,
        counter bigint NOT NULL DEFAULT 0,
        transports text[] NOT NULL DEFAULT '{}',
        device_type text NOT NULL,
        backed_up boolean NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX passkeys_user ON passkeys (user_id, created_at)');
    await queryRunner.query(`
      CREATE TABLE webauthn_challenges (
        id uuid PRIMARY KEY,
        challenge text NOT NULL UNIQUE,
        purpose text NOT NULL CHECK (purpose IN ('registration', 'second_factor', 'passwordless')),
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        login_challenge_hash text,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE webauthn_challenges');
    await queryRunner.query('DROP TABLE passkeys');
  }
}
