import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';

/** What Profile → Remembered Devices lists; `expiresAt` is when the device stops skipping the second factor. */
export interface RememberedDeviceView {
  id: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
}

export interface NewRememberedDevice {
  id: string;
  userId: string;
  tokenHash: string;
  label: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * When device `d` stops being remembered, under the reseller's current `rememberDeviceDays` (the
 * parameter `$days`): the sooner of its stored expiry and its creation plus those days, so a
 * reseller that lowers the days (or sets 0) shortens every device at once.
 */
const effectiveExpiry = (days: string) => `LEAST(d.expires_at, d.created_at + make_interval(days => ${days}))`;

/** Remembered devices: bound to their user, looked up by the hash of their token only. */
@Injectable()
export class RememberedDeviceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, device: NewRememberedDevice): Promise<void> {
    await manager.query(
      `INSERT INTO remembered_devices (id, user_id, token_hash, label, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [device.id, device.userId, device.tokenHash, device.label, device.createdAt, device.expiresAt],
    );
  }

  /**
   * The id of this user's device with this token hash while it is remembered at `now` under `days`,
   * marking it used; null for anything else (unknown, another user's, expired, forgotten).
   */
  async use(userId: string, tokenHash: string, days: number, now: Date): Promise<string | null> {
    const [row] = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE remembered_devices d SET last_used_at = $4
        WHERE d.user_id = $1 AND d.token_hash = $2 AND ${effectiveExpiry('$3')} > $4
        RETURNING d.id`,
      [userId, tokenHash, days, now],
    );
    return row?.id ?? null;
  }

  /** The user's devices still remembered at `now` under `days`, oldest first. */
  list(userId: string, days: number, now: Date): Promise<RememberedDeviceView[]> {
    return queryRows<RememberedDeviceView>(
      this.dataSource,
      `SELECT d.id, d.label, d.created_at AS "createdAt", d.last_used_at AS "lastUsedAt", ${effectiveExpiry('$2')} AS "expiresAt"
         FROM remembered_devices d
        WHERE d.user_id = $1 AND ${effectiveExpiry('$2')} > $3
        ORDER BY d.created_at, d.id`,
      [userId, days, now],
    );
  }

  /** Forgets one of the user's own devices; its label, or null when the user has no device with that id. */
  async remove(manager: EntityManager, userId: string, id: string): Promise<string | null> {
    const [row] = await queryRows<{ label: string }>(
      manager,
      'DELETE FROM remembered_devices WHERE user_id = $1 AND id = $2 RETURNING label',
      [userId, id],
    );
    return row?.label ?? null;
  }

  /** Forgets every device of the user, in the transaction of the change that calls for it; how many. */
  async removeAllOfUser(manager: EntityManager, userId: string): Promise<number> {
    const rows = await queryRows(manager, 'DELETE FROM remembered_devices WHERE user_id = $1 RETURNING id', [userId]);
    return rows.length;
  }
}
