import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TwoFactorMode } from '@pbx2fa/contracts';
import { containsPattern, queryRows } from '@pbx2fa/persistence';
import { ResellerPolicy } from './reseller-policy.entity';

export interface PolicyUpdate {
  resellerId: string;
  name?: string;
  mode: TwoFactorMode;
  enrollBy: Date | null;
  /** Absent in events from before it was carried: the copy keeps what it has. */
  rememberDeviceDays?: number;
  version: number;
}

@Injectable()
export class ResellerPolicyRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(resellerId: string): Promise<ResellerPolicy | null> {
    return this.dataSource.manager.findOne(ResellerPolicy, { where: { resellerId } });
  }

  /** The copies of several resellers at once, by id (those not known yet are left out). */
  async findMany(resellerIds: string[]): Promise<Map<string, ResellerPolicy>> {
    if (resellerIds.length === 0) return new Map();
    const rows = await this.dataSource.manager
      .createQueryBuilder(ResellerPolicy, 'p')
      .where('p.reseller_id = ANY(:ids)', { ids: [...new Set(resellerIds)] })
      .getMany();
    return new Map(rows.map((row) => [row.resellerId, row]));
  }

  /**
   * Writes the setting only if its version is newer than the one held (the upsert's WHERE), in one
   * statement so concurrent events cannot interleave a read and a write.
   */
  async applyIfNewer(update: PolicyUpdate, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = await queryRows<{ reseller_id: string }>(
      manager,
      `INSERT INTO reseller_policies
              (reseller_id, name, two_factor_mode, two_factor_enabled, enroll_by, remember_device_days, version, updated_at)
       VALUES ($1, COALESCE($2, $1), $3, $3 <> 'off', $4, COALESCE($5, 30), $6, now())
       ON CONFLICT (reseller_id) DO UPDATE
         SET two_factor_mode = EXCLUDED.two_factor_mode,
             two_factor_enabled = EXCLUDED.two_factor_enabled,
             enroll_by = EXCLUDED.enroll_by,
             remember_device_days = COALESCE($5, reseller_policies.remember_device_days),
             version = EXCLUDED.version,
             name = COALESCE($2, reseller_policies.name),
             updated_at = now()
         WHERE reseller_policies.version < EXCLUDED.version
       RETURNING reseller_id`,
      [
        update.resellerId,
        update.name ?? null,
        update.mode,
        update.enrollBy,
        update.rememberDeviceDays ?? null,
        update.version,
      ],
    );
    return rows.length > 0;
  }

  /** A reseller we learn exists, before any 2FA change: recorded at version 0 unless we know more. */
  async recordExisting(manager: EntityManager, resellerId: string, name: string): Promise<void> {
    await manager.query(
      `INSERT INTO reseller_policies (reseller_id, name, two_factor_enabled, version, updated_at)
       VALUES ($1, $2, false, 0, now())
       ON CONFLICT (reseller_id) DO UPDATE SET name = EXCLUDED.name`,
      [resellerId, name],
    );
  }

  /** The names of these resellers, by id; an id the copy does not hold yet is missing. */
  async namesOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; name: string }[] = await this.dataSource.query(
      'SELECT reseller_id AS id, name FROM reseller_policies WHERE reseller_id = ANY($1::text[])',
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** For each word, the ids of the resellers whose name holds it (at most `limit` each). */
  async idsNamedLike(words: string[], limit: number): Promise<string[][]> {
    return Promise.all(
      words.map(async (word) => {
        const rows: { id: string }[] = await this.dataSource.query(
          'SELECT reseller_id AS id FROM reseller_policies WHERE name ILIKE $1 ORDER BY reseller_id LIMIT $2',
          [containsPattern(word), limit],
        );
        return rows.map((row) => row.id);
      }),
    );
  }

  /** Resellers whose name or id holds every word, by name. */
  async search(words: string[], limit: number): Promise<{ id: string; name: string }[]> {
    const conditions = words.map((_, index) => `(name ILIKE $${index + 1} OR reseller_id ILIKE $${index + 1})`);
    return this.dataSource.query(
      `SELECT reseller_id AS id, name FROM reseller_policies
       ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY lower(name), reseller_id LIMIT $${words.length + 1}`,
      [...words.map(containsPattern), limit],
    );
  }
}
