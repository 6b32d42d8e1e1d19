import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import type { User } from '../users/user.entity';
import { SessionRepository, type LiveSession } from './session.repository';

export interface IssuedToken {
  status: 'authenticated';
  accessToken: string;
  expiresIn: number;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

interface AccessClaims {
  sub: string;
  jti: string;
  typ: 'access';
}

/** Bearer tokens: a signed JWT naming a session row, so logout ends the token at once. */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly sessions: SessionRepository,
    private readonly audit: AuditLog,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Opens a session for a sign-in, writing its audit entry with it. */
  async issue(user: User, amr: string[], client: ClientInfo, audit: AuditEntry): Promise<IssuedToken> {
    const issued = await this.open(user, amr, client, audit);
    if (!issued) throw new Error(`no session was opened for ${user.id}`); // without a challenge the statement always inserts
    return issued;
  }

  /** The same for the second step of a sign-in: only while its challenge is live, using it up; null otherwise. */
  issueForChallenge(user: User, amr: string[], client: ClientInfo, audit: AuditEntry, challenge: { tokenHash: string; now: Date }): Promise<IssuedToken | null> {
    return this.open(user, amr, client, audit, challenge);
  }

  private async open(user: User, amr: string[], client: ClientInfo, audit: AuditEntry, challenge?: { tokenHash: string; now: Date }): Promise<IssuedToken | null> {
    const sessionId = randomUUID();
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const session = {
      id: sessionId,
      userId: user.id,
      amr,
      expiresAt: new Date(Date.now() + expiresIn * 1000),
      clientIp: client.ip,
      userAgent: client.userAgent?.slice(0, 500) ?? null,
    };
    if (!(await this.sessions.open(session, audit, challenge))) return null;
    this.audit.written(audit);
    const claims: AccessClaims = { sub: user.id, jti: sessionId, typ: 'access' };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn });
    return { status: 'authenticated', accessToken, expiresIn };
  }

  /** The live session behind a token, or null for anything forged, expired, revoked or malformed. */
  async resolve(token: string): Promise<LiveSession | null> {
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token);
    } catch {
      return null;
    }
    if (claims.typ !== 'access' || typeof claims.jti !== 'string' || !/^[0-9a-f-]{36}$/.test(claims.jti)) return null;
    const session = await this.sessions.findLive(claims.jti);
    return session && session.userId === claims.sub ? session : null;
  }

  revoke(sessionId: string): Promise<void> {
    return this.sessions.revoke(sessionId);
  }
}
