import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import { User } from './user.entity';

/** A row of `users` as PostgreSQL gives it (`SELECT u.*`); `toUser` maps it. */
export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  reseller_id: string | null;
  role: User['role'];
  email: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A User from its row: the one mapping of the table, for this repository and for a joined read of
 * another room that selects `u.*` beside its own columns (one statement on the hot paths).
 */
export const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  passwordHash: row.password_hash,
  resellerId: row.reseller_id,
  role: row.role,
  email: row.email,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Plain SQL on the hot paths: a TypeORM findOne builds its query every call. */
  async findByUsername(username: string): Promise<User | null> {
    const [row] = await queryRows<UserRow>(this.dataSource, 'SELECT * FROM users WHERE username = $1', [
      username.toLowerCase(),
    ]);
    return row ? toUser(row) : null;
  }

  async findById(id: string): Promise<User | null> {
    const [row] = await queryRows<UserRow>(this.dataSource, 'SELECT * FROM users WHERE id = $1', [id]);
    return row ? toUser(row) : null;
  }

  /** Holds the user's row until the transaction ends: one change of the user's second factors at a time. */
  async lockForUpdate(manager: EntityManager, id: string): Promise<void> {
    await manager.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [id]);
  }

  findInReseller(username: string, resellerId: string): Promise<User | null> {
    return this.dataSource.manager.findOne(User, { where: { username: username.toLowerCase(), resellerId } });
  }

  /** Inserts unless the user name is taken; returns the new user or null. */
  async insertIfAbsent(
    user: Pick<User, 'id' | 'username' | 'passwordHash' | 'resellerId' | 'role'> & { email?: string | null },
  ): Promise<User | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(User)
      .values({ ...user, username: user.username.toLowerCase() })
      .orIgnore()
      .returning('*')
      .execute();
    return (result.raw as unknown[]).length > 0 ? this.findById(user.id) : null;
  }
}
