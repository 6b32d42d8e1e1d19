import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '@pbx2fa/contracts';
import { queryRows } from '@pbx2fa/persistence';
import type { AuditEntry } from '../audit/audit-events';
import { AUDIT_COLUMNS, auditPlaceholders, auditValues } from '../audit/audit-log';
import type { Session, SessionPurpose } from './session.entity';

export type NewSession = Omit<Session, 'createdAt' | 'revokedAt'>;

export interface LiveSession {
  sessionId: string;
  purpose: SessionPurpose;
  amr: string[];
  expiresAt: Date;
  userId: string;
  username: string;
  role: Role;
  resellerId: string | null;
}

@Injectable()
export class SessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Opens a session and writes the sign-in's audit entry in one statement (one round trip, one
   * commit: this is every sign-in's write), stamping the user's last sign-in for a full session.
   * Given a challenge, only while it is live, using it up in the same statement; false when it was
   * not (expired, or another request used it first).
   */
  async open(session: NewSession, audit: AuditEntry, challenge?: { tokenHash: string; now: Date }): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `WITH used AS (
         UPDATE login_challenges SET consumed_at = $8
          WHERE token_hash = $7 AND consumed_at IS NULL AND expires_at > $8 RETURNING id
       ), allowed AS (
         SELECT WHERE $7::text IS NULL OR EXISTS (SELECT FROM used)
       ), audited AS (
         INSERT INTO audit_log (${AUDIT_COLUMNS}) SELECT ${auditPlaceholders(10)} FROM allowed
       ), signed_in AS (
         UPDATE users SET last_login_at = now() WHERE id = $2::uuid AND $9::text = 'access' AND EXISTS (SELECT FROM allowed)
       )
       INSERT INTO sessions (id, user_id, amr, expires_at, client_ip, user_agent, purpose)
       SELECT $1::uuid, $2::uuid, $3::text[], $4::timestamptz, $5::text, $6::text, $9::text FROM allowed
       RETURNING id`,
      [
        session.id,
        session.userId,
        session.amr,
        session.expiresAt,
        session.clientIp,
        session.userAgent,
        challenge?.tokenHash ?? null,
        challenge?.now ?? null,
        session.purpose,
        ...auditValues(audit),
      ],
    );
    return rows.length > 0;
  }

  /**
   * Ends a live enrollment session and opens the full session that replaces it, with its audit
   * entry and the user's last sign-in, in one statement; false when the enrollment session was no longer live (expired,
   * logged out, or already exchanged), and then nothing is written.
   */
  async exchangeEnrollment(
    manager: EntityManager,
    enrollmentSessionId: string,
    session: NewSession,
    audit: AuditEntry,
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `WITH ended AS (
         UPDATE sessions SET revoked_at = now()
          WHERE id = $7 AND user_id = $2 AND purpose = 'enrollment' AND revoked_at IS NULL AND expires_at > now() RETURNING id
       ), audited AS (
         INSERT INTO audit_log (${AUDIT_COLUMNS}) SELECT ${auditPlaceholders(9)} FROM ended
       ), signed_in AS (
         UPDATE users SET last_login_at = now() WHERE id = $2::uuid AND EXISTS (SELECT FROM ended)
       )
       INSERT INTO sessions (id, user_id, amr, expires_at, client_ip, user_agent, purpose)
       SELECT $1::uuid, $2::uuid, $3::text[], $4::timestamptz, $5::text, $6::text, $8::text FROM ended
       RETURNING id`,
      [
        session.id,
        session.userId,
        session.amr,
        session.expiresAt,
        session.clientIp,
        session.userAgent,
        enrollmentSessionId,
        session.purpose,
        ...auditValues(audit),
      ],
    );
    return rows.length > 0;
  }

  /** The session with its user, if it is neither revoked nor expired. */
  async findLive(sessionId: string): Promise<LiveSession | null> {
    const rows: LiveSession[] = await this.dataSource.query(
      `SELECT s.id AS "sessionId", s.purpose, s.amr, s.expires_at AS "expiresAt", u.id AS "userId", u.username, u.role,
              u.reseller_id AS "resellerId"
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [sessionId],
    );
    return rows[0] ?? null;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.dataSource.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [
      sessionId,
    ]);
  }

  /**
   * Ends every live session of a user, except `keep` (the caller's own) when given, in the
   * transaction of the change that calls for it; answers how many ended.
   */
  async revokeAllOfUser(manager: EntityManager, userId: string, keep: string | null = null): Promise<number> {
    const rows = await queryRows(
      manager,
      `UPDATE sessions SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND ($2::uuid IS NULL OR id <> $2::uuid)
        RETURNING id`,
      [userId, keep],
    );
    return rows.length;
  }
}
