import { pastExpiry, type RetentionRule } from '@pbx2fa/persistence';

/** Remembered devices past their stored expiry: none can skip a second factor any more. */
export const expiredRememberedDevices = (keptMinutes: number): RetentionRule =>
  pastExpiry('remembered_devices', keptMinutes);
