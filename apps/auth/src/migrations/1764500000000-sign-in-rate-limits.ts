import type { MigrationInterface, QueryRunner } from 'typeorm';

/** rate-limiter-flexible's table for the per-address sign-in allowance (its own layout: key, points, expire in ms). */
export class SignInRateLimits1764500000000 implements MigrationInterface {
  name = 'SignInRateLimits1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sign_in_rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE sign_in_rate_limits');
  }
}
