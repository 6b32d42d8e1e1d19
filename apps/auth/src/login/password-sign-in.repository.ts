import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import {
  askedByResellerPolicy,
  type FactorMethod,
  type ResellerRequirement,
} from '../second-factor/second-factor-policy';
import { factorMethodsOf } from '../second-factor/two-factor-credential.repository';
import type { User } from '../users/user.entity';
import { toUser, type UserRow } from '../users/user.repository';

export interface PasswordSignInState {
  /** Null for an unknown username. */
  user: User | null;
  secondFactorRequired: boolean;
  /** The user's second factors (empty for an unknown user). */
  factorMethods: FactorMethod[];
  /** The mode of the user's reseller and its enrollment deadline; null without a known reseller. */
  reseller: ResellerRequirement | null;
  /** The reseller's current rememberDeviceDays; 0 without a known reseller. */
  resellerRememberDeviceDays: number;
}

/** `u.*` is null throughout for an unknown username (the LEFT JOIN finds no user). */
type SignInRow = UserRow & {
  resellerTwoFactorEnabled: boolean | null;
  factorMethods: FactorMethod[];
  resellerMode: ResellerRequirement['mode'] | null;
  resellerEnrollBy: Date | null;
  resellerRememberDeviceDays: number | null;
};

/** What a password sign-in reads before hashing, in one query: the user and whether a passcode is asked. */
@Injectable()
export class PasswordSignInRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(username: string): Promise<PasswordSignInState> {
    const [row] = await queryRows<SignInRow>(
      this.dataSource,
      `SELECT u.*, ${factorMethodsOf('u.id')} AS "factorMethods", p.two_factor_enabled AS "resellerTwoFactorEnabled",
              p.two_factor_mode AS "resellerMode", p.enroll_by AS "resellerEnrollBy",
              p.remember_device_days AS "resellerRememberDeviceDays"
         FROM (SELECT) AS one
         LEFT JOIN users u ON u.username = $1
         LEFT JOIN reseller_policies p ON p.reseller_id = u.reseller_id`,
      [username.toLowerCase()],
    );
    const { factorMethods, resellerMode } = row;
    return {
      user: row.id ? toUser(row) : null,
      secondFactorRequired: askedByResellerPolicy(row.resellerTwoFactorEnabled === true, factorMethods),
      factorMethods,
      reseller: resellerMode ? { mode: resellerMode, enrollBy: row.resellerEnrollBy } : null,
      resellerRememberDeviceDays: row.resellerRememberDeviceDays ?? 0,
    };
  }
}
