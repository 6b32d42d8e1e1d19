import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Role } from '@pbx2fa/contracts';
import { Session } from './session.entity';

export interface LiveSession {
  sessionId: string;
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

  async insert(session: Omit<Session, 'createdAt' | 'revokedAt'>): Promise<void> {
    await this.dataSource.manager.insert(Session, session);
  }

  /** The session with its user, if it is neither revoked nor expired. */
  async findLive(sessionId: string): Promise<LiveSession | null> {
    const rows: LiveSession[] = await this.dataSource.query(
      `SELECT s.id AS "sessionId", s.amr, s.expires_at AS "expiresAt", u.id AS "userId", u.username, u.role,
              u.reseller_id AS "resellerId"
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [sessionId],
    );
    return rows[0] ?? null;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.dataSource.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [sessionId]);
  }
}
