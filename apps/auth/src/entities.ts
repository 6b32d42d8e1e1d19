import { ResellerPolicy } from './reseller-policy/reseller-policy.entity';
import { Session } from './sessions/session.entity';
import { User } from './users/user.entity';

export const authEntities = [User, Session, ResellerPolicy];
