import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';

@Injectable()
export class RecoveryCodeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The new set replaces the old one: old codes stop working in the same transaction. */
  async replaceAll(manager: EntityManager, userId: string, codeHashes: string[]): Promise<void> {
    await manager.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
    for (const codeHash of codeHashes) {
      await manager.query('INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)', [randomUUID(), userId, codeHash]);
    }
  }

  /** Uses a code once; a concurrent second use of the same code finds it spent. */
  async consume(userId: string, codeHash: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      `UPDATE recovery_codes SET used_at = now()
        WHERE id = (SELECT id FROM recovery_codes WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [userId, codeHash],
    );
    return rows.length > 0;
  }

  async removeAll(manager: EntityManager, userId: string): Promise<void> {
    await manager.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  }

  async countUnused(userId: string): Promise<number> {
    const [row] = await this.dataSource.query('SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL', [userId]);
    return row.n;
  }
}
