import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import type { User } from '../users/user.entity';
import type { SecondFactorState } from '../second-factor/second-factor.verifier';
import { toUser, type UserRow } from '../users/user.repository';

export const CHALLENGE_TTL_SECONDS = 300;

/** Challenges are stored and looked up by this hash only. */
export const challengeTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface LiveChallenge {
  user: User;
  secondFactor: SecondFactorState;
}

/**
 * The half-finished sign-in between password and passcode: short-lived, used once, stored hashed.
 * It is used up by the statement that opens the session (SessionRepository.open).
 */
@Injectable()
export class ChallengeRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(userId: string, now: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.dataSource.query(
      'INSERT INTO login_challenges (id, token_hash, user_id, expires_at) VALUES ($1, $2, $3, $4)',
      [randomUUID(), challengeTokenHash(token), userId, new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000)],
    );
    return token;
  }

  /**
   * The user a live challenge belongs to and the sealed secret checking their passcode needs,
   * without using the challenge up: one query for the passcode step.
   */
  async findLive(token: string, now: Date): Promise<LiveChallenge | null> {
    const rows = await queryRows<UserRow & { activeSecret: string | null }>(
      this.dataSource,
      `SELECT u.*, c.active_secret AS "activeSecret"
         FROM login_challenges ch
         JOIN users u ON u.id = ch.user_id
         LEFT JOIN two_factor_credentials c ON c.user_id = u.id
        WHERE ch.token_hash = $1 AND ch.consumed_at IS NULL AND ch.expires_at > $2`,
      [challengeTokenHash(token), now],
    );
    if (!rows[0]) return null;
    return { user: toUser(rows[0]), secondFactor: { activeSecret: rows[0].activeSecret } };
  }
}
