import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
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
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async issue(user: User, amr: string[], client: ClientInfo): Promise<IssuedToken> {
    const sessionId = randomUUID();
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    await this.sessions.insert({
      id: sessionId,
      userId: user.id,
      amr,
      expiresAt: new Date(Date.now() + expiresIn * 1000),
      clientIp: client.ip,
      userAgent: client.userAgent?.slice(0, 500) ?? null,
    });
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
