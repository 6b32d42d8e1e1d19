import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { User } from './user.entity';

/** The columns of `users u` as a User; plain SQL on the hot paths (a TypeORM findOne builds its query every call). */
export const USER_COLUMNS =
  'u.id, u.username, u.password_hash AS "passwordHash", u.reseller_id AS "resellerId", u.role, u.created_at AS "createdAt", u.updated_at AS "updatedAt"';

@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByUsername(username: string): Promise<User | null> {
    const rows: User[] = await this.dataSource.query(`SELECT ${USER_COLUMNS} FROM users u WHERE u.username = $1`, [
      username.toLowerCase(),
    ]);
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<User | null> {
    const rows: User[] = await this.dataSource.query(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
    return rows[0] ?? null;
  }

  findInReseller(username: string, resellerId: string): Promise<User | null> {
    return this.dataSource.manager.findOne(User, { where: { username: username.toLowerCase(), resellerId } });
  }

  /** Inserts unless the user name is taken; returns the new user or null. */
  async insertIfAbsent(
    user: Pick<User, 'id' | 'username' | 'passwordHash' | 'resellerId' | 'role'>,
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
