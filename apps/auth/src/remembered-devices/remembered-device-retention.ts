import type { RetentionRule } from '@pbx2fa/persistence';

/** Remembered devices past their stored expiry: none can skip a second factor any more. */
export const expiredRememberedDevices = (keptMinutes: number): RetentionRule => ({
  table: 'remembered_devices',
  deleteBatch: `DELETE FROM remembered_devices WHERE id IN (
                  SELECT id FROM remembered_devices WHERE expires_at < now() - make_interval(mins => $2)
                   LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  params: [keptMinutes],
});
