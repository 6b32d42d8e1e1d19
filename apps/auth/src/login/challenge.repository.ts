import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import type { User } from '../users/user.entity';
import { USER_COLUMNS } from '../users/user.repository';

export const CHALLENGE_TTL_SECONDS = 300;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The half-finished sign-in between password and passcode: short-lived, used once, stored hashed. */
@Injectable()
export class ChallengeRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(userId: string, now: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.dataSource.query('INSERT INTO login_challenges (id, token_hash, user_id, expires_at) VALUES ($1, $2, $3, $4)', [
      randomUUID(),
      hashToken(token),
      userId,
      new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
    ]);
    return token;
  }

  /** The user a live challenge belongs to, without using it up; one query (the passcode step needs the whole user). */
  async findLiveUser(token: string, now: Date): Promise<User | null> {
    const rows = await queryRows<User>(
      this.dataSource,
      `SELECT ${USER_COLUMNS} FROM login_challenges c JOIN users u ON u.id = c.user_id
        WHERE c.token_hash = $1 AND c.consumed_at IS NULL AND c.expires_at > $2`,
      [hashToken(token), now],
    );
    return rows[0] ?? null;
  }

  /** Uses the challenge up; false when another request got there first. */
  async consume(token: string, now: Date): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      'UPDATE login_challenges SET consumed_at = $2 WHERE token_hash = $1 AND consumed_at IS NULL AND expires_at > $2 RETURNING id',
      [hashToken(token), now],
    );
    return rows.length > 0;
  }
}
