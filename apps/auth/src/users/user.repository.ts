import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { User } from './user.entity';

@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  findByUsername(username: string): Promise<User | null> {
    return this.dataSource.manager.findOne(User, { where: { username: username.toLowerCase() } });
  }

  findById(id: string): Promise<User | null> {
    return this.dataSource.manager.findOne(User, { where: { id } });
  }

  findInReseller(username: string, resellerId: string): Promise<User | null> {
    return this.dataSource.manager.findOne(User, { where: { username: username.toLowerCase(), resellerId } });
  }

  /** Inserts unless the user name is taken; returns the new user or null. */
  async insertIfAbsent(user: Pick<User, 'id' | 'username' | 'passwordHash' | 'resellerId' | 'role'>): Promise<User | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(User)
      .values({ ...user, username: user.username.toLowerCase() })
      .orIgnore()
      .returning('*')
      .execute();
    return result.raw.length > 0 ? this.findById(user.id) : null;
  }
}
