import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Role } from '@pbx2fa/contracts';
import { queryRows } from '@pbx2fa/persistence';
import type { FactorMethod } from '../second-factor/second-factor-policy';
import { factorMethodsOf } from '../second-factor/two-factor-credential.repository';

/**
 * Whether user `u` holds a second factor: any method of factorMethodsOf but recovery codes (see
 * `hasFactor`). Built from factorMethodsOf, so a new kind of factor (passkeys) is added there, once.
 */
const HAS_SECOND_FACTOR = `EXISTS (SELECT FROM unnest(${factorMethodsOf('u.id')}) AS f(method) WHERE f.method <> 'recovery_code')`;

export interface ResellerUserRow {
  username: string;
  role: Role;
  methods: FactorMethod[];
  lastLoginAt: Date | null;
}

export interface ResellerUsersFilter {
  resellerId: string;
  /** true: only users with a second factor; false: only those without; undefined: all. */
  hasFactor?: boolean;
  /** The last username of the previous page. */
  after?: string;
  limit: number;
}

/**
 * A reseller's users with their second factors and last sign-in, by username in byte order (a
 * stable keyset whatever the database's locale).
 */
@Injectable()
export class ResellerUsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  list(filter: ResellerUsersFilter): Promise<ResellerUserRow[]> {
    return queryRows<ResellerUserRow>(
      this.dataSource,
      `SELECT u.username, u.role, u.last_login_at AS "lastLoginAt", ${factorMethodsOf('u.id')} AS methods
         FROM users u
        WHERE u.reseller_id = $1
          AND ($2::text IS NULL OR u.username COLLATE "C" > $2::text)
          AND ($3::boolean IS NULL OR ${HAS_SECOND_FACTOR} = $3::boolean)
        ORDER BY u.username COLLATE "C"
        LIMIT $4`,
      [filter.resellerId, filter.after ?? null, filter.hasFactor ?? null, filter.limit],
    );
  }
}
