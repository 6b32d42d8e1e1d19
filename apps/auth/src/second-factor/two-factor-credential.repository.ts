import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import { unusedRecoveryCodesOf } from './recovery-code.repository';
import type { FactorMethod } from './second-factor-policy';

export interface TwoFactorCredential {
  userId: string;
  pendingSecret: string | null;
  pendingCreatedAt: Date | null;
  activeSecret: string | null;
  activatedAt: Date | null;
  lastUsedStep: string | null;
}

/** A user's sealed secrets as stored, for re-sealing under the current key. */
export interface SealedSecrets {
  userId: string;
  pendingSecret: string | null;
  activeSecret: string | null;
}

export type SealedColumn = 'pending_secret' | 'active_secret';

/**
 * The second factors of the user whose id is the SQL expression `userId` (a column of the
 * caller's own read, such as `u.id`), as the contract names them (see FactorMethod): a text[]
 * SQL expression, empty when there is no such user. The one statement of which factors count;
 * the reads that need it beside other facts of a user (a sign-in, the Users view) call it.
 */
export const factorMethodsOf = (userId: string) => `array_remove(ARRAY[
  CASE WHEN EXISTS (SELECT FROM two_factor_credentials c WHERE c.user_id = ${userId} AND c.active_secret IS NOT NULL) THEN 'totp' END,
  CASE WHEN EXISTS (SELECT FROM passkeys pk WHERE pk.user_id = ${userId}) THEN 'passkey' END,
  CASE WHEN EXISTS (SELECT FROM recovery_codes r WHERE r.user_id = ${userId} AND r.used_at IS NULL) THEN 'recovery_code' END
], NULL)`;

/** A user's authenticator: sealed secrets only, and the last TOTP step accepted. */
@Injectable()
export class TwoFactorCredentialRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(userId: string): Promise<TwoFactorCredential | null> {
    const rows: TwoFactorCredential[] = await this.dataSource.query(
      `SELECT user_id AS "userId", pending_secret AS "pendingSecret", pending_created_at AS "pendingCreatedAt",
              active_secret AS "activeSecret", activated_at AS "activatedAt", last_used_step::text AS "lastUsedStep"
         FROM two_factor_credentials WHERE user_id = $1`,
      [userId],
    );
    return rows[0] ?? null;
  }

  /** The second factors the user holds (factorMethodsOf). */
  async methodsOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<FactorMethod[]> {
    const [row] = await queryRows<{ methods: FactorMethod[] }>(
      manager,
      `SELECT ${factorMethodsOf('$1::uuid')} AS methods`,
      [userId],
    );
    return row?.methods ?? [];
  }

  /**
   * The second factors the user holds and how many unused recovery codes back them up, in one
   * statement: GET /auth/me asks on every page load.
   */
  async factorsOf(userId: string): Promise<{ methods: FactorMethod[]; recoveryCodesLeft: number }> {
    const [row] = await queryRows<{ methods: FactorMethod[]; recoveryCodesLeft: number }>(
      this.dataSource,
      `SELECT ${factorMethodsOf('$1::uuid')} AS methods, ${unusedRecoveryCodesOf('$1::uuid')} AS "recoveryCodesLeft"`,
      [userId],
    );
    return row ?? { methods: [], recoveryCodesLeft: 0 };
  }

  async isActive(userId: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM two_factor_credentials WHERE user_id = $1 AND active_secret IS NOT NULL',
      [userId],
    );
    return rows.length > 0;
  }

  async savePending(userId: string, sealedSecret: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO two_factor_credentials (user_id, pending_secret, pending_created_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET pending_secret = EXCLUDED.pending_secret, pending_created_at = EXCLUDED.pending_created_at`,
      [userId, sealedSecret, at],
    );
  }

  /**
   * Makes the pending secret the active one, provided it is still the one the passcode was
   * checked against (a second setup in between wins) and no secret is active yet.
   */
  async activate(
    manager: EntityManager,
    userId: string,
    sealedPending: string,
    step: number,
    at: Date,
  ): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `UPDATE two_factor_credentials
          SET active_secret = pending_secret, activated_at = $4, last_used_step = $3, pending_secret = NULL, pending_created_at = NULL
        WHERE user_id = $1 AND pending_secret = $2 AND active_secret IS NULL
        RETURNING user_id`,
      [userId, sealedPending, step, at],
    );
    return rows.length > 0;
  }

  /**
   * Accepts a TOTP step once (RFC 6238 §5.2): the same or an earlier step is refused afterwards.
   * A single conditional update, so two replicas racing with one passcode cannot both win.
   */
  async claimStep(userId: string, step: number): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      `UPDATE two_factor_credentials SET last_used_step = $2
        WHERE user_id = $1 AND active_secret IS NOT NULL AND (last_used_step IS NULL OR last_used_step < $2)
        RETURNING user_id`,
      [userId, step],
    );
    return rows.length > 0;
  }

  async remove(userId: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = await queryRows<{ active_secret: string | null }>(
      manager,
      'DELETE FROM two_factor_credentials WHERE user_id = $1 RETURNING active_secret',
      [userId],
    );
    return rows.some((row) => row.active_secret !== null);
  }

  /** Up to `limit` users' sealed secrets after `afterUserId`, in user id order (re-sealing walks the table). */
  async sealedPage(
    afterUserId: string | null,
    limit: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<SealedSecrets[]> {
    return queryRows<SealedSecrets>(
      manager,
      `SELECT user_id AS "userId", pending_secret AS "pendingSecret", active_secret AS "activeSecret"
         FROM two_factor_credentials
        WHERE ($1::uuid IS NULL OR user_id > $1::uuid) AND (pending_secret IS NOT NULL OR active_secret IS NOT NULL)
        ORDER BY user_id LIMIT $2`,
      [afterUserId, limit],
    );
  }

  /**
   * Puts a re-sealed value in place of the one read, only if the row still holds that one: a
   * secret set up, activated or removed meanwhile is never overwritten with a stale value.
   */
  async replaceSealed(
    manager: EntityManager,
    userId: string,
    column: SealedColumn,
    from: string,
    to: string,
  ): Promise<boolean> {
    const statements: Record<SealedColumn, string> = {
      pending_secret:
        'UPDATE two_factor_credentials SET pending_secret = $3 WHERE user_id = $1 AND pending_secret = $2 RETURNING user_id',
      active_secret:
        'UPDATE two_factor_credentials SET active_secret = $3 WHERE user_id = $1 AND active_secret = $2 RETURNING user_id',
    };
    return (await queryRows(manager, statements[column], [userId, from, to])).length > 0;
  }

  /** How many sealed values (pending and active) do not start with `prefix`: those not yet under the current key and format. */
  async countSealedWithout(prefix: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      this.dataSource,
      `SELECT (count(*) FILTER (WHERE pending_secret IS NOT NULL AND NOT starts_with(pending_secret, $1))
             + count(*) FILTER (WHERE active_secret IS NOT NULL AND NOT starts_with(active_secret, $1)))::int AS n
         FROM two_factor_credentials`,
      [prefix],
    );
    return row.n;
  }
}
