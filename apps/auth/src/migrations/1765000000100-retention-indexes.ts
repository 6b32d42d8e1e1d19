import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets each retention batch find expired rows by time instead of reading the whole table. The
 * throttle and sign-in limit tables get none: their rows are rewritten on every attempt, and an
 * index on the time they carry would cost every sign-in a write.
 */
export class RetentionIndexes1765000000100 implements MigrationInterface {
  name = 'RetentionIndexes1765000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX IF NOT EXISTS login_challenges_expiry ON login_challenges (expires_at)');
    await queryRunner.query('CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at)');
    await queryRunner.query(
      'CREATE INDEX IF NOT EXISTS sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE INDEX IF NOT EXISTS used_sso_assertions_expiry ON used_sso_assertions (expires_at)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of [
      'used_sso_assertions_expiry',
      'sessions_revoked',
      'sessions_expiry',
      'login_challenges_expiry',
    ]) {
      await queryRunner.query(`DROP INDEX ${index}`);
    }
  }
}
