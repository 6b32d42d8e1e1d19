import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import type { SecurityNotice } from './security-mail.composer';

/** A mail waiting to be sent, with what it is about and where it goes. */
export interface WaitingMail extends SecurityNotice {
  auditId: string;
  userId: string;
  /** The user's address now (null: removed since, or the user is gone). */
  email: string | null;
  attempts: number;
}

/** A mail about an event older than this is no longer due: it is not sent any more (README, "Security mail"). */
export const SECURITY_MAIL_MAX_AGE_DAYS = 7;

export type FinalOutcome = 'sent' | 'rejected' | 'skipped';

/**
 * The security_mail_outbox table (filled by the audit log's trigger, see the migration) and the
 * list of events that fill it. A mail is waiting until `done_at` is set, with how it ended.
 */
@Injectable()
export class SecurityMailOutbox {
  constructor(private readonly dataSource: DataSource) {}

  /** Makes the trigger queue mail for exactly these events (every replica says the same at start). */
  async registerEvents(events: readonly string[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM security_mail_events WHERE event <> ALL($1::text[])', [events]);
      await manager.query('INSERT INTO security_mail_events (event) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [
        events,
      ]);
    });
  }

  /** Cheap, without a transaction: whether a relay round would find anything to send now. */
  async hasDue(): Promise<boolean> {
    const [row] = await queryRows<{ due: boolean }>(
      this.dataSource,
      `SELECT EXISTS (SELECT FROM security_mail_outbox
                       WHERE done_at IS NULL AND next_attempt_at <= now() AND queued_at > now() - make_interval(days => $1)) AS due`,
      [SECURITY_MAIL_MAX_AGE_DAYS],
    );
    return row.due;
  }

  /** Takes the relay's lock for this transaction: one replica sends at a time (per schema). */
  async lockRelay(manager: EntityManager): Promise<boolean> {
    const [row] = await queryRows<{ locked: boolean }>(
      manager,
      "SELECT pg_try_advisory_xact_lock(hashtext('pbx2fa:security-mail:' || current_schema())) AS locked",
    );
    return row.locked;
  }

  /** The oldest mails due, with the audit entry they tell of and the user's current address. */
  due(manager: EntityManager, limit: number): Promise<WaitingMail[]> {
    return queryRows<WaitingMail>(
      manager,
      `SELECT m.audit_id::text AS "auditId", m.user_id AS "userId", m.attempts, a.event, a.at, a.client_ip AS "clientIp", a.user_agent AS "userAgent",
              a.actor, a.detail, coalesce(u.username, a.username) AS username, u.email
         FROM security_mail_outbox m
         JOIN audit_log a ON a.id = m.audit_id
         LEFT JOIN users u ON u.id = m.user_id
        WHERE m.done_at IS NULL AND m.next_attempt_at <= now() AND m.queued_at > now() - make_interval(days => $2)
        ORDER BY m.audit_id
        LIMIT $1`,
      [limit, SECURITY_MAIL_MAX_AGE_DAYS],
    );
  }

  async finish(manager: EntityManager, auditId: string, outcome: FinalOutcome, error?: string): Promise<void> {
    await manager.query(
      `UPDATE security_mail_outbox SET done_at = now(), outcome = $2, attempts = attempts + $3, last_error = coalesce($4, last_error)
        WHERE audit_id = $1`,
      [auditId, outcome, outcome === 'skipped' ? 0 : 1, error ?? null],
    );
  }

  /** A failed try: the mail waits at least `retryInMs` before the next. */
  async deferred(manager: EntityManager, auditId: string, error: string, retryInMs: number): Promise<void> {
    await manager.query(
      `UPDATE security_mail_outbox SET attempts = attempts + 1, last_error = $2,
              next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
        WHERE audit_id = $1`,
      [auditId, error.slice(0, 500), retryInMs],
    );
  }
}
