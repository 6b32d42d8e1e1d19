import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';

/** How long a ceremony may take: the browser's prompt, and someone finding their security key. */
export const WEBAUTHN_CHALLENGE_TTL_SECONDS = 300;

/** What a challenge was handed out for; one is never accepted for another. */
export type ChallengePurpose = 'registration' | 'second_factor' | 'passwordless';

/** Who a challenge is bound to: the registering user, or the user and the half-finished sign-in. */
export interface ChallengeBinding {
  userId?: string;
  loginChallengeHash?: string;
}

/**
 * WebAuthn challenges, kept on the server: each is random (the library's 32 bytes), bound to its
 * purpose and to whoever asked for it, good for five minutes and used once.
 */
@Injectable()
export class WebauthnChallengeRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(challenge: string, purpose: ChallengePurpose, binding: ChallengeBinding, now: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO webauthn_challenges (id, challenge, purpose, user_id, login_challenge_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        randomUUID(),
        challenge,
        purpose,
        binding.userId ?? null,
        binding.loginChallengeHash ?? null,
        new Date(now.getTime() + WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000),
      ],
    );
  }

  /** Whether the challenge is live, unused, for this purpose and bound to exactly this binding. */
  async isLive(challenge: string, purpose: ChallengePurpose, binding: ChallengeBinding, now: Date): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      `SELECT 1 FROM webauthn_challenges
        WHERE challenge = $1 AND purpose = $2 AND user_id IS NOT DISTINCT FROM $3::uuid
          AND login_challenge_hash IS NOT DISTINCT FROM $4::text AND consumed_at IS NULL AND expires_at > $5`,
      [challenge, purpose, binding.userId ?? null, binding.loginChallengeHash ?? null, now],
    );
    return rows.length > 0;
  }

  /** Uses the challenge up; false when it was not live (expired, or another request used it first). */
  async consume(
    challenge: string,
    purpose: ChallengePurpose,
    now: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `UPDATE webauthn_challenges SET consumed_at = $3
        WHERE challenge = $1 AND purpose = $2 AND consumed_at IS NULL AND expires_at > $3 RETURNING id`,
      [challenge, purpose, now],
    );
    return rows.length > 0;
  }
}
