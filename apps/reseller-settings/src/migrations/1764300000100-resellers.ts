import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Resellers1764300000100 implements MigrationInterface {
  name = 'Resellers1764300000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE resellers (
        id text PRIMARY KEY,
        name text NOT NULL,
        two_factor_enabled boolean NOT NULL DEFAULT false,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE resellers');
  }
}
