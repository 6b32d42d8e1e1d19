import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditEntry } from '../audit/audit-events';
import { AuditLog } from '../audit/audit-log';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import type { User } from '../users/user.entity';
import { ENROLLMENT_TTL_SECONDS } from './enrollment-access';
import type { SessionPurpose } from './session.entity';
import { SessionRepository, type LiveSession, type NewSession } from './session.repository';

export interface IssuedToken {
  status: 'authenticated';
  accessToken: string;
  expiresIn: number;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface IssuedEnrollmentToken {
  enrollmentToken: string;
  expiresIn: number;
}

/** `typ` is the purpose of the session the token names; the two must agree. */
interface SessionClaims {
  sub: string;
  jti: string;
  typ: SessionPurpose;
}

/**
 * Bearer tokens: a signed JWT naming a session row, so logout ends the token at once. Access
 * tokens name full sessions; enrollment tokens name sessions that may only set up a second factor.
 */
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
  issueForChallenge(
    user: User,
    amr: string[],
    client: ClientInfo,
    audit: AuditEntry,
    challenge: { tokenHash: string; now: Date },
  ): Promise<IssuedToken | null> {
    return this.open(user, amr, client, audit, challenge);
  }

  /** A session that may only set up a second factor, for a password sign-in that must enroll first. */
  async issueEnrollment(user: User, client: ClientInfo, audit: AuditEntry): Promise<IssuedEnrollmentToken> {
    const session = this.newSession(user, ['pwd'], client, 'enrollment', ENROLLMENT_TTL_SECONDS);
    if (!(await this.sessions.open(session, audit))) throw new Error(`no enrollment session was opened for ${user.id}`);
    this.audit.written(audit);
    return { enrollmentToken: await this.sign(session, ENROLLMENT_TTL_SECONDS), expiresIn: ENROLLMENT_TTL_SECONDS };
  }

  /**
   * The first factor is active: the enrollment session ends and a full one takes its place, in
   * the caller's transaction; null when the enrollment session is no longer live.
   */
  async completeEnrollment(
    manager: EntityManager,
    enrollmentSessionId: string,
    user: User,
    amr: string[],
    client: ClientInfo,
    audit: AuditEntry,
  ): Promise<IssuedToken | null> {
    const session = this.newSession(user, amr, client, 'access', this.config.ACCESS_TOKEN_TTL_SECONDS);
    if (!(await this.sessions.exchangeEnrollment(manager, enrollmentSessionId, session, audit))) return null;
    this.audit.written(audit);
    return {
      status: 'authenticated',
      accessToken: await this.sign(session, this.config.ACCESS_TOKEN_TTL_SECONDS),
      expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS,
    };
  }

  private async open(
    user: User,
    amr: string[],
    client: ClientInfo,
    audit: AuditEntry,
    challenge?: { tokenHash: string; now: Date },
  ): Promise<IssuedToken | null> {
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const session = this.newSession(user, amr, client, 'access', expiresIn);
    if (!(await this.sessions.open(session, audit, challenge))) return null;
    this.audit.written(audit);
    return { status: 'authenticated', accessToken: await this.sign(session, expiresIn), expiresIn };
  }

  private newSession(
    user: User,
    amr: string[],
    client: ClientInfo,
    purpose: SessionPurpose,
    ttlSeconds: number,
  ): NewSession {
    return {
      id: randomUUID(),
      userId: user.id,
      amr,
      purpose,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
      clientIp: client.ip,
      userAgent: client.userAgent?.slice(0, 500) ?? null,
    };
  }

  private sign(session: NewSession, expiresIn: number): Promise<string> {
    const claims: SessionClaims = { sub: session.userId, jti: session.id, typ: session.purpose };
    return this.jwt.signAsync(claims, { expiresIn });
  }

  /**
   * The live session behind a token, access or enrollment (see `session.purpose`), or null for
   * anything forged, expired, revoked or malformed, or whose `typ` is not its session's purpose.
   */
  async resolve(token: string): Promise<LiveSession | null> {
    let claims: SessionClaims;
    try {
      claims = await this.jwt.verifyAsync<SessionClaims>(token);
    } catch {
      return null;
    }
    if (
      (claims.typ !== 'access' && claims.typ !== 'enrollment') ||
      typeof claims.jti !== 'string' ||
      !/^[0-9a-f-]{36}$/.test(claims.jti)
    )
      return null;
    const session = await this.sessions.findLive(claims.jti);
    return session && session.userId === claims.sub && session.purpose === claims.typ ? session : null;
  }

  revoke(sessionId: string): Promise<void> {
    return this.sessions.revoke(sessionId);
  }
}
