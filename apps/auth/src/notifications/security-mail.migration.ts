import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Security mail leaves through an outbox filled by the audit log itself: every change that sends
 * a mail already writes its audit entry in the change's own transaction (some as part of a larger
 * statement, see AUDIT_COLUMNS), so a trigger on audit_log queues the mail in that transaction too,
 * in one place, whoever wrote the entry. Only users with an email get a row; which events count
 * is the security_mail_events table, written at start from SECURITY_MAIL_KINDS.
 */
export class SecurityMailOutbox1766200000100 implements MigrationInterface {
  name = 'SecurityMailOutbox1766200000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE security_mail_events (event text PRIMARY KEY)');
    await queryRunner.query(`
      CREATE TABLE security_mail_outbox (
        audit_id bigint PRIMARY KEY REFERENCES audit_log (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        queued_at timestamptz NOT NULL DEFAULT now(),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        done_at timestamptz,
        outcome text CHECK (outcome IN ('sent', 'rejected', 'skipped'))
      )`);
    await queryRunner.query(
      'CREATE INDEX security_mail_waiting ON security_mail_outbox (next_attempt_at) WHERE done_at IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX security_mail_done ON security_mail_outbox (done_at) WHERE done_at IS NOT NULL',
    );
    await queryRunner.query(`
      CREATE FUNCTION queue_security_mail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT FROM security_mail_events WHERE event = NEW.event)
           AND EXISTS (SELECT FROM users WHERE id = NEW.user_id AND email IS NOT NULL) THEN
          INSERT INTO security_mail_outbox (audit_id, user_id, queued_at) VALUES (NEW.id, NEW.user_id, NEW.at);
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_log_queues_security_mail AFTER INSERT ON audit_log
        FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION queue_security_mail()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER audit_log_queues_security_mail ON audit_log');
    await queryRunner.query('DROP FUNCTION queue_security_mail()');
    await queryRunner.query('DROP TABLE security_mail_outbox');
    await queryRunner.query('DROP TABLE security_mail_events');
  }
}
