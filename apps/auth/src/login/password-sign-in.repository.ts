import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import { SECOND_FACTOR_REQUIRED } from '../second-factor/two-factor-credential.repository';
import type { User } from '../users/user.entity';
import { USER_COLUMNS } from '../users/user.repository';

export interface PasswordSignInState {
  /** Null for an unknown username. */
  user: User | null;
  secondFactorRequired: boolean;
}

/** What a password sign-in reads before hashing, in one query: the user and whether a passcode is asked. */
@Injectable()
export class PasswordSignInRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(username: string): Promise<PasswordSignInState> {
    const [row] = await queryRows<User & { secondFactorRequired: boolean | null }>(
      this.dataSource,
      `SELECT ${USER_COLUMNS}, ${SECOND_FACTOR_REQUIRED} AS "secondFactorRequired"
         FROM (SELECT) AS one
         LEFT JOIN users u ON u.username = $1`,
      [username.toLowerCase()],
    );
    const { secondFactorRequired, ...user } = row;
    return { user: user.id ? user : null, secondFactorRequired: secondFactorRequired === true };
  }
}
