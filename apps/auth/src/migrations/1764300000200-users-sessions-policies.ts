import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UsersSessionsPolicies1764300000200 implements MigrationInterface {
  name = 'UsersSessionsPolicies1764300000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        reseller_id text,
        role text NOT NULL CHECK (role IN ('reseller_user', 'reseller_admin', 'agent')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((role = 'agent') = (reseller_id IS NULL))
      )`);
    await queryRunner.query('CREATE INDEX users_reseller ON users (reseller_id)');
    await queryRunner.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        amr text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        client_ip text,
        user_agent text
      )`);
    await queryRunner.query('CREATE INDEX sessions_user ON sessions (user_id)');
    await queryRunner.query(`
      CREATE TABLE reseller_policies (
        reseller_id text PRIMARY KEY,
        name text NOT NULL,
        two_factor_enabled boolean NOT NULL DEFAULT false,
        version int NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE reseller_policies');
    await queryRunner.query('DROP TABLE sessions');
    await queryRunner.query('DROP TABLE users');
  }
}
