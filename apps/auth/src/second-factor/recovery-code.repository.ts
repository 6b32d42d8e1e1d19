import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import { KEYED_HASH_PREFIX, RecoveryCodeHasher } from './recovery-codes';

/** Unused codes by the key their hashes were made with; `keyId` null: legacy SHA-256 hashes. */
export interface RecoveryCodeKeyCount {
  keyId: string | null;
  codes: number;
  users: number;
}

/**
 * An int SQL expression: how many unused recovery codes the user whose id is the SQL expression
 * `userId` holds — one COUNT over the (user_id, code_hash) index, for a read that wants it beside
 * other facts of the user.
 */
export const unusedRecoveryCodesOf = (userId: string) =>
  `(SELECT count(*)::int FROM recovery_codes r WHERE r.user_id = ${userId} AND r.used_at IS NULL)`;

/** Recovery codes are stored only as keyed hashes (RecoveryCodeHasher); the plaintext never reaches a row. */
@Injectable()
export class RecoveryCodeRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: RecoveryCodeHasher,
  ) {}

  /** The new set replaces the old one: old codes stop working in the same transaction. */
  async replaceAll(manager: EntityManager, userId: string, codes: string[]): Promise<void> {
    await manager.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
    for (const code of codes) {
      await manager.query('INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)', [
        randomUUID(),
        userId,
        this.hasher.hash(userId, code),
      ]);
    }
  }

  /**
   * Uses a code once; a concurrent second use of the same code finds it spent. The code matches
   * under the current key, a previous one still configured, or as a legacy hash.
   */
  async consume(userId: string, code: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      `UPDATE recovery_codes SET used_at = now()
        WHERE id = (SELECT id FROM recovery_codes WHERE user_id = $1 AND code_hash = ANY($2::text[]) AND used_at IS NULL LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [userId, this.hasher.candidates(userId, code)],
    );
    return rows.length > 0;
  }

  async removeAll(manager: EntityManager, userId: string): Promise<void> {
    await manager.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  }

  async countUnused(userId: string): Promise<number> {
    const [row] = await this.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [userId],
    );
    return row.n;
  }

  /** For key rotation: which keys the unused codes depend on. */
  async countUnusedByKey(): Promise<RecoveryCodeKeyCount[]> {
    return queryRows<RecoveryCodeKeyCount>(
      this.dataSource,
      `SELECT CASE WHEN starts_with(code_hash, $1) THEN split_part(code_hash, ':', 2) END AS "keyId",
              count(*)::int AS codes, count(DISTINCT user_id)::int AS users
         FROM recovery_codes WHERE used_at IS NULL
        GROUP BY 1 ORDER BY 1 NULLS LAST`,
      [KEYED_HASH_PREFIX],
    );
  }
}
