import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '@pbx2fa/persistence';
import { newTestDatabase, type TestDatabase } from '../../libs/persistence/src/testing';
import { InboxEntry, OutboxMessage } from '@pbx2fa/messaging';
import { authEntities } from '../../apps/auth/src/entities';
import { authMigrations } from '../../apps/auth/src/migrations';
import { ResellerPolicyRepository } from '../../apps/auth/src/reseller-policy/reseller-policy.repository';
import { RecoveryCodeRepository } from '../../apps/auth/src/second-factor/recovery-code.repository';
import { TwoFactorCredentialRepository } from '../../apps/auth/src/second-factor/two-factor-credential.repository';

describe('rules enforced by single SQL statements', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = newTestDatabase('rules');
    dataSource = await openServiceDatabase({ url: database.url, schema: 'auth', entities: [...authEntities, OutboxMessage, InboxEntry], migrations: authMigrations });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function userWithActiveAuthenticator(): Promise<string> {
    const id = randomUUID();
    await dataSource.query(`INSERT INTO users (id, username, password_hash, reseller_id, role) VALUES ($1, $2, 'x', 'acme', 'reseller_user')`, [
      id,
      `user-${id.slice(0, 8)}`,
    ]);
    await dataSource.query(`INSERT INTO two_factor_credentials (user_id, active_secret, activated_at) VALUES ($1, 'sealed', now())`, [id]);
    return id;
  }

  describe('the reseller policy copy (version rule)', () => {
    const policies = () => new ResellerPolicyRepository(dataSource);

    it('applies a newer version and ignores a repeated or older one', async () => {
      await policies().applyIfNewer({ resellerId: 'versioned', name: 'Versioned', twoFactorEnabled: true, version: 3 });
      expect(await policies().applyIfNewer({ resellerId: 'versioned', twoFactorEnabled: false, version: 3 })).toBe(false);
      expect(await policies().applyIfNewer({ resellerId: 'versioned', twoFactorEnabled: false, version: 2 })).toBe(false);
      expect((await policies().find('versioned'))?.twoFactorEnabled).toBe(true);
      expect(await policies().applyIfNewer({ resellerId: 'versioned', twoFactorEnabled: false, version: 4 })).toBe(true);
      expect(await policies().find('versioned')).toMatchObject({ twoFactorEnabled: false, version: 4, name: 'Versioned' });
    });

    it('keeps the newest of events that arrive out of order and at once', async () => {
      const versions = [5, 2, 7, 3, 6, 4];
      await Promise.all(versions.map((version) => policies().applyIfNewer({ resellerId: 'racing', twoFactorEnabled: version % 2 === 1, version })));
      expect(await policies().find('racing')).toMatchObject({ version: 7, twoFactorEnabled: true });
    });

    it('does not let a late "created" event reset a known setting', async () => {
      await policies().applyIfNewer({ resellerId: 'late-created', name: 'Late', twoFactorEnabled: true, version: 2 });
      await dataSource.transaction((manager) => policies().recordExisting(manager, 'late-created', 'Late'));
      expect(await policies().find('late-created')).toMatchObject({ version: 2, twoFactorEnabled: true });
    });
  });

  describe('TOTP steps (RFC 6238 §5.2)', () => {
    const credentials = () => new TwoFactorCredentialRepository(dataSource);

    it('accepts a step once, then refuses the same and earlier steps', async () => {
      const userId = await userWithActiveAuthenticator();
      expect(await credentials().claimStep(userId, 1000)).toBe(true);
      expect(await credentials().claimStep(userId, 1000)).toBe(false);
      expect(await credentials().claimStep(userId, 999)).toBe(false);
      expect(await credentials().claimStep(userId, 1001)).toBe(true);
    });

    it('lets exactly one of two racing replicas use a passcode', async () => {
      const userId = await userWithActiveAuthenticator();
      const results = await Promise.all(Array.from({ length: 8 }, () => credentials().claimStep(userId, 5000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('recovery codes', () => {
    it('lets a code be used once, even by racing requests', async () => {
      const userId = await userWithActiveAuthenticator();
      const codes = new RecoveryCodeRepository(dataSource);
      await dataSource.transaction((manager) => codes.replaceAll(manager, userId, ['hash-a', 'hash-b']));
      const results = await Promise.all(Array.from({ length: 6 }, () => codes.consume(userId, 'hash-a')));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await codes.countUnused(userId)).toBe(1);
    });

    it('stops old codes working when a new set replaces them', async () => {
      const userId = await userWithActiveAuthenticator();
      const codes = new RecoveryCodeRepository(dataSource);
      await dataSource.transaction((manager) => codes.replaceAll(manager, userId, ['old']));
      await dataSource.transaction((manager) => codes.replaceAll(manager, userId, ['new']));
      expect(await codes.consume(userId, 'old')).toBe(false);
      expect(await codes.consume(userId, 'new')).toBe(true);
    });
  });
});
