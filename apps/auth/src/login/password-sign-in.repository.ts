import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import type { FactorMethod } from '../second-factor/second-factor-policy';
import { FACTOR_METHODS, SECOND_FACTOR_REQUIRED } from '../second-factor/two-factor-credential.repository';
import { THROTTLE_STATE_COLUMNS, type ThrottleState } from '../throttle/attempt-throttle';
import type { User } from '../users/user.entity';
import { USER_COLUMNS } from '../users/user.repository';

export interface PasswordSignInState {
  /** Null for an unknown username. */
  user: User | null;
  throttle: ThrottleState;
  secondFactorRequired: boolean;
  /** The user's second factors (empty for an unknown user). */
  factorMethods: FactorMethod[];
}

/** What a password sign-in reads before hashing, in one query: the user, the lock on its key, and whether a passcode is asked. */
@Injectable()
export class PasswordSignInRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(username: string, throttleKey: string): Promise<PasswordSignInState> {
    const [row] = await queryRows<User & ThrottleState & { secondFactorRequired: boolean | null; factorMethods: FactorMethod[] }>(
      this.dataSource,
      `SELECT ${USER_COLUMNS}, ${THROTTLE_STATE_COLUMNS}, ${SECOND_FACTOR_REQUIRED} AS "secondFactorRequired", ${FACTOR_METHODS} AS "factorMethods"
         FROM (SELECT) AS one
         LEFT JOIN users u ON u.username = $1
         LEFT JOIN attempt_throttles t ON t.key = $2`,
      [username.toLowerCase(), throttleKey],
    );
    const { consecutiveFailures, lockedUntil, secondFactorRequired, factorMethods, ...user } = row;
    return { user: user.id ? user : null, throttle: { consecutiveFailures, lockedUntil }, secondFactorRequired: secondFactorRequired === true, factorMethods };
  }
}
