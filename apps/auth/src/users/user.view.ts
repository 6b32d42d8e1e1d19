import type { User } from './user.entity';

export interface UserView {
  id: string;
  username: string;
  resellerId: string | null;
  role: User['role'];
  email: string | null;
}

export const toUserView = (user: User): UserView => ({
  id: user.id,
  username: user.username,
  resellerId: user.resellerId,
  role: user.role,
  email: user.email,
});
