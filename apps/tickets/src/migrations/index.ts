import {
  InboxEffectKeys1764400000000,
  MessagingRetentionIndexes1765000000000,
  MessagingTables1764300000000,
} from '@pbx2fa/messaging';
import { Tickets1764300000100 } from './1764300000100-tickets';
import { ApprovalSequences1764500000100 } from './1764500000100-approval-sequences';
import { RequireTwoFactor1766000000100 } from './1766000000100-require-two-factor';
import { Desk1766100000100 } from './1766100000100-desk';

export const ticketsMigrations = [
  MessagingTables1764300000000,
  Tickets1764300000100,
  InboxEffectKeys1764400000000,
  ApprovalSequences1764500000100,
  MessagingRetentionIndexes1765000000000,
  RequireTwoFactor1766000000100,
  Desk1766100000100,
];
