import type { RetentionRule } from '@pbx2fa/persistence';

/**
 * Security mails that ended (sent, refused, skipped) more than `keptDays` ago, kept that long to
 * answer "was it sent, and when"; and mails never sent that are older than `maxAgeDays`, which
 * the relay no longer sends (mail was off, or the relay was unreachable all that time).
 */
export const finishedSecurityMails = (keptDays: number, maxAgeDays: number): RetentionRule => ({
  table: 'security_mail_outbox',
  deleteBatch: `DELETE FROM security_mail_outbox WHERE audit_id IN (
                  SELECT audit_id FROM security_mail_outbox
                   WHERE done_at < now() - make_interval(days => $2)
                      OR (done_at IS NULL AND queued_at < now() - make_interval(days => $3))
                   LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  params: [keptDays, maxAgeDays],
});
