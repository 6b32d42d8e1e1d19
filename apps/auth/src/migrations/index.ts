import {
  InboxEffectKeys1764400000000,
  MessagingRetentionIndexes1765000000000,
  MessagingTables1764300000000,
} from '@pbx2fa/messaging';
import { UsersSessionsPolicies1764300000200 } from './1764300000200-users-sessions-policies';
import { TwoFactor1764300000300 } from './1764300000300-two-factor';
import { SignInRateLimits1764500000000 } from './1764500000000-sign-in-rate-limits';
import { SessionPurpose1764500000100 } from './1764500000100-session-purpose';
import { RetentionIndexes1765000000100 } from './1765000000100-retention-indexes';
import { Passkeys1765100000000 } from './1765100000000-passkeys';
import { UserEmail1766200000000 } from './1766200000000-user-email';
import { SecurityMailOutbox1766200000100 } from '../notifications/security-mail.migration';
import { ResellerModesAndLastLogin1766000000200 } from './1766000000200-reseller-modes-and-last-login';
import { RememberedDevices1766300000000 } from './1766300000000-remembered-devices';

export const authMigrations = [
  MessagingTables1764300000000,
  UsersSessionsPolicies1764300000200,
  TwoFactor1764300000300,
  InboxEffectKeys1764400000000,
  SignInRateLimits1764500000000,
  SessionPurpose1764500000100,
  MessagingRetentionIndexes1765000000000,
  RetentionIndexes1765000000100,
  Passkeys1765100000000,
  ResellerModesAndLastLogin1766000000200,
  UserEmail1766200000000,
  SecurityMailOutbox1766200000100,
  RememberedDevices1766300000000,
];
