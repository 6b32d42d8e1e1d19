import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import { Reseller } from './reseller.entity';

@Injectable()
export class ResellerRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Reseller | null> {
    return manager.findOne(Reseller, { where: { id } });
  }

  /** Reads the row and holds it until the transaction ends, so concurrent changes queue up. */
  findForUpdate(manager: EntityManager, id: string): Promise<Reseller | null> {
    return manager.findOne(Reseller, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Inserts unless the id is taken; returns whether it was inserted. */
  async insertIfAbsent(manager: EntityManager, id: string, name: string): Promise<Reseller | null> {
    const rows: Reseller[] = await manager.query(
      `INSERT INTO resellers (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING
       RETURNING id, name, two_factor_enabled AS "twoFactorEnabled", version, updated_at AS "updatedAt"`,
      [id, name],
    );
    return rows[0] ?? null;
  }

  async setTwoFactor(manager: EntityManager, id: string, enabled: boolean): Promise<Reseller> {
    const rows = await queryRows<Reseller>(
      manager,
      `UPDATE resellers SET two_factor_enabled = $2, version = version + 1, updated_at = now() WHERE id = $1
       RETURNING id, name, two_factor_enabled AS "twoFactorEnabled", version, updated_at AS "updatedAt"`,
      [id, enabled],
    );
    return rows[0];
  }
}
