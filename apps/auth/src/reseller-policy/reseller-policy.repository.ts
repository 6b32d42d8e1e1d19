import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ResellerPolicy } from './reseller-policy.entity';

export interface PolicyUpdate {
  resellerId: string;
  name?: string;
  twoFactorEnabled: boolean;
  version: number;
}

@Injectable()
export class ResellerPolicyRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(resellerId: string): Promise<ResellerPolicy | null> {
    return this.dataSource.manager.findOne(ResellerPolicy, { where: { resellerId } });
  }

  /**
   * Writes the setting only if its version is newer than the one held (the upsert's WHERE), in one
   * statement so concurrent events cannot interleave a read and a write.
   */
  async applyIfNewer(update: PolicyUpdate, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = await manager.query<{ reseller_id: string }[]>(
      `INSERT INTO reseller_policies (reseller_id, name, two_factor_enabled, version, updated_at)
       VALUES ($1, COALESCE($2, $1), $3, $4, now())
       ON CONFLICT (reseller_id) DO UPDATE
         SET two_factor_enabled = EXCLUDED.two_factor_enabled,
             version = EXCLUDED.version,
             name = COALESCE($2, reseller_policies.name),
             updated_at = now()
         WHERE reseller_policies.version < EXCLUDED.version
       RETURNING reseller_id`,
      [update.resellerId, update.name ?? null, update.twoFactorEnabled, update.version],
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
}
