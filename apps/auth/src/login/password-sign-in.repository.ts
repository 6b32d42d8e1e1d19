import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import type { FactorMethod } from '../second-factor/second-factor-policy';
import { FACTOR_METHODS, SECOND_FACTOR_REQUIRED } from '../second-factor/two-factor-credential.repository';
import type { User } from '../users/user.entity';
import { USER_COLUMNS } from '../users/user.repository';

export interface PasswordSignInState {
  /** Null for an unknown username. */
  user: User | null;
  secondFactorRequired: boolean;
  /** The user's second factors (empty for an unknown user). */
  factorMethods: FactorMethod[];
}

/** What a password sign-in reads before hashing, in one query: the user and whether a passcode is asked. */
@Injectable()
export class PasswordSignInRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(username: string): Promise<PasswordSignInState> {
    const [row] = await queryRows<User & { secondFactorRequired: boolean | null; factorMethods: FactorMethod[] }>(
      this.dataSource,
      `SELECT ${USER_COLUMNS}, ${SECOND_FACTOR_REQUIRED} AS "secondFactorRequired", ${FACTOR_METHODS} AS "factorMethods"
         FROM (SELECT) AS one
         LEFT JOIN users u ON u.username = $1`,
      [username.toLowerCase()],
    );
    const { secondFactorRequired, factorMethods, ...user } = row;
    return { user: user.id ? user : null, secondFactorRequired: secondFactorRequired === true, factorMethods };
  }
}
