import { InboxEffectKeys1764400000000, MessagingTables1764300000000 } from '@pbx2fa/messaging';
import { UsersSessionsPolicies1764300000200 } from './1764300000200-users-sessions-policies';
import { TwoFactor1764300000300 } from './1764300000300-two-factor';
import { SessionPurpose1764500000100 } from './1764500000100-session-purpose';

export const authMigrations = [
  MessagingTables1764300000000,
  UsersSessionsPolicies1764300000200,
  TwoFactor1764300000300,
  InboxEffectKeys1764400000000,
  SessionPurpose1764500000100,
];
