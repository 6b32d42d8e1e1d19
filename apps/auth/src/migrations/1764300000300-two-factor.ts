import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TwoFactor1764300000300 implements MigrationInterface {
  name = 'TwoFactor1764300000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE two_factor_credentials (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        pending_secret text,
        pending_created_at timestamptz,
        active_secret text,
        activated_at timestamptz,
        last_used_step bigint
      )`);
    await queryRunner.query(`
      CREATE TABLE recovery_codes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX recovery_codes_user ON recovery_codes (user_id, code_hash)');
    await queryRunner.query(`
      CREATE TABLE attempt_throttles (
        key text PRIMARY KEY,
        consecutive_failures int NOT NULL DEFAULT 0,
        locked_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE login_challenges (
        id uuid PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE used_sso_assertions (
        jti text PRIMARY KEY,
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        event text NOT NULL,
        outcome text NOT NULL,
        username text,
        user_id uuid,
        reseller_id text,
        actor text,
        client_ip text,
        user_agent text,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query('CREATE INDEX audit_log_username ON audit_log (username, id DESC)');
    await queryRunner.query('CREATE INDEX audit_log_reseller ON audit_log (reseller_id, id DESC)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_log',
      'used_sso_assertions',
      'login_challenges',
      'attempt_throttles',
      'recovery_codes',
      'two_factor_credentials',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
