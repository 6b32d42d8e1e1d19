import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import type { TwoFactorMode } from '@pbx2fa/contracts';
import type { Reseller } from './reseller.entity';

const COLUMNS = `id, name, two_factor_enabled AS "twoFactorEnabled", two_factor_mode AS "twoFactorMode", enroll_by AS "enrollBy",
  remember_device_days AS "rememberDeviceDays", version, last_approval_sequence::int AS "lastApprovalSequence",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface TwoFactorSetting {
  mode: TwoFactorMode;
  enrollBy: Date | null;
}

@Injectable()
export class ResellerRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Reseller | null> {
    const rows = await queryRows<Reseller>(manager, `SELECT ${COLUMNS} FROM resellers WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Reads the row and holds it until the transaction ends, so concurrent changes queue up. */
  async findForUpdate(manager: EntityManager, id: string): Promise<Reseller | null> {
    const rows = await queryRows<Reseller>(manager, `SELECT ${COLUMNS} FROM resellers WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  /** Inserts unless the id is taken; returns whether it was inserted. */
  async insertIfAbsent(manager: EntityManager, id: string, name: string): Promise<Reseller | null> {
    const rows: Reseller[] = await manager.query(
      `INSERT INTO resellers (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [id, name],
    );
    return rows[0] ?? null;
  }

  /**
   * Sets the 2FA mode as an approval asks (two_factor_enabled with it: on unless off), moving the
   * version by one; `sequence` is the approval's, when it carries one.
   */
  async setTwoFactor(
    manager: EntityManager,
    id: string,
    setting: TwoFactorSetting,
    sequence?: number,
  ): Promise<Reseller> {
    const rows = await queryRows<Reseller>(
      manager,
      `UPDATE resellers SET two_factor_mode = $2, two_factor_enabled = ($2 <> 'off'), enroll_by = $3,
              version = version + 1, updated_at = now(), last_approval_sequence = COALESCE($4, last_approval_sequence)
        WHERE id = $1
       RETURNING ${COLUMNS}`,
      [id, setting.mode, setting.enrollBy, sequence ?? null],
    );
    return rows[0];
  }
}
