import type { TicketTwoFactorApprovedPayload } from '@pbx2fa/contracts';
import type { TwoFactorSetting } from './reseller.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The mode an approved ticket puts its reseller in. The grace period of `require` counts from the
 * agent's approval, not from when the event arrived: an approval held up in a queue does not give
 * more time, and a redelivered one computes the same deadline. (An approval without its time,
 * published before it was carried, counts from `receivedAt`.)
 */
export function settingFor(approval: TicketTwoFactorApprovedPayload, receivedAt: Date): TwoFactorSetting {
  switch (approval.action) {
    case 'enable':
      return { mode: 'optional', enrollBy: null };
    case 'disable':
      return { mode: 'off', enrollBy: null };
    case 'require': {
      const approvedAt = approval.approvedAt ? new Date(approval.approvedAt) : receivedAt;
      return { mode: 'required', enrollBy: new Date(approvedAt.getTime() + (approval.graceDays ?? 0) * DAY_MS) };
    }
  }
}
