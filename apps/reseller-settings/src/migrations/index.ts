import {
  InboxEffectKeys1764400000000,
  MessagingRetentionIndexes1765000000000,
  MessagingTables1764300000000,
} from '@pbx2fa/messaging';
import { Resellers1764300000100 } from './1764300000100-resellers';
import { LastApprovalSequence1764500000100 } from './1764500000100-last-approval-sequence';
import { TwoFactorModes1766000000100 } from './1766000000100-two-factor-modes';

export const resellerSettingsMigrations = [
  MessagingTables1764300000000,
  Resellers1764300000100,
  InboxEffectKeys1764400000000,
  LastApprovalSequence1764500000100,
  MessagingRetentionIndexes1765000000000,
  TwoFactorModes1766000000100,
];
