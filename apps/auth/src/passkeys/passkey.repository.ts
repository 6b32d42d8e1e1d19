import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';

/** What the Profile page lists. */
export interface PasskeyView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** What checking an assertion needs. */
export interface StoredPasskey {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: Buffer;
  /** bigint in the table; authenticators count in 32 bits, so a number holds it. */
  counter: number;
  transports: string[];
}

export interface NewPasskey {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  name: string;
  createdAt: Date;
}

const STORED_COLUMNS = `id, user_id AS "userId", credential_id AS "credentialId", public_key AS "publicKey",
  counter::int AS counter, transports`;

/** A user's passkeys: public keys stored as they are, credential ids unique across all users. */
@Injectable()
export class PasskeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  list(userId: string): Promise<PasskeyView[]> {
    return queryRows<PasskeyView>(
      this.dataSource,
      `SELECT id, name, created_at AS "createdAt", last_used_at AS "lastUsedAt"
         FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
  }

  /** The user's own credentials, for the options of a sign-in and the exclusion list of a registration. */
  credentialsOf(userId: string): Promise<StoredPasskey[]> {
    return queryRows<StoredPasskey>(
      this.dataSource,
      `SELECT ${STORED_COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    );
  }

  /** The credential, only if it is one of this user's: another user's credential is never found here. */
  async findOfUser(userId: string, credentialId: string): Promise<StoredPasskey | null> {
    const [row] = await queryRows<StoredPasskey>(
      this.dataSource,
      `SELECT ${STORED_COLUMNS} FROM passkeys WHERE user_id = $1 AND credential_id = $2`,
      [userId, credentialId],
    );
    return row ?? null;
  }

  /** For a discoverable (passwordless) sign-in, where the credential names its user. */
  async findByCredentialId(credentialId: string): Promise<StoredPasskey | null> {
    const [row] = await queryRows<StoredPasskey>(
      this.dataSource,
      `SELECT ${STORED_COLUMNS} FROM passkeys WHERE credential_id = $1`,
      [credentialId],
    );
    return row ?? null;
  }

  async count(manager: EntityManager, userId: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      manager,
      'SELECT count(*)::int AS n FROM passkeys WHERE user_id = $1',
      [userId],
    );
    return row.n;
  }

  /** False when the credential id is already registered (to anyone): nothing is written then. */
  async insert(manager: EntityManager, passkey: NewPasskey): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `INSERT INTO passkeys (id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (credential_id) DO NOTHING RETURNING id`,
      [
        passkey.id,
        passkey.userId,
        passkey.credentialId,
        Buffer.from(passkey.publicKey),
        passkey.counter,
        passkey.transports,
        passkey.deviceType,
        passkey.backedUp,
        passkey.name,
        passkey.createdAt,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Stores the counter an accepted assertion reported, every time, provided the row still holds
   * the counter the assertion was checked against: of two uses racing with one counter, one wins.
   */
  async recordUse(passkey: StoredPasskey, newCounter: number, at: Date): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      'UPDATE passkeys SET counter = $3, last_used_at = $4 WHERE id = $1 AND counter = $2 RETURNING id',
      [passkey.id, passkey.counter, newCounter, at],
    );
    return rows.length > 0;
  }

  /** The removed passkey's name, or null when the user has no passkey of that id. */
  async remove(manager: EntityManager, userId: string, id: string): Promise<string | null> {
    const [row] = await queryRows<{ name: string }>(
      manager,
      'DELETE FROM passkeys WHERE user_id = $1 AND id = $2 RETURNING name',
      [userId, id],
    );
    return row?.name ?? null;
  }

  /** Every passkey of the user (2FA turned off or reset); answers how many there were. */
  async removeAll(manager: EntityManager, userId: string): Promise<number> {
    return (await queryRows(manager, 'DELETE FROM passkeys WHERE user_id = $1 RETURNING id', [userId])).length;
  }
}
