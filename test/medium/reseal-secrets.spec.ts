import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '@pbx2fa/persistence';
import { InboxEntry, OutboxMessage } from '@pbx2fa/messaging';
import { newTestDatabase, type TestDatabase } from '../../libs/persistence/src/testing';
import { authEntities } from '../../apps/auth/src/entities';
import { authMigrations } from '../../apps/auth/src/migrations';
import { RecoveryCodeRepository } from '../../apps/auth/src/second-factor/recovery-code.repository';
import { legacyRecoveryCodeHash, RecoveryCodeHasher } from '../../apps/auth/src/second-factor/recovery-codes';
import { ResealSecrets } from '../../apps/auth/src/second-factor/reseal-secrets';
import { keyId, SecretBox } from '../../apps/auth/src/second-factor/secret-box';
import {
  TwoFactorCredentialRepository,
  type SealedSecrets,
} from '../../apps/auth/src/second-factor/two-factor-credential.repository';
import { sealV1 } from '../support/legacy-secrets';

const newKey = () => randomBytes(32).toString('base64');

/** Re-sealing TOTP secrets after a key rotation, against PostgreSQL, beside a gateway that keeps writing. */
describe('ResealSecrets', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const oldKey = newKey();
  const currentKey = newKey();
  const oldBox = SecretBox.fromBase64Keys(oldKey);
  const box = SecretBox.fromBase64Keys(currentKey, [oldKey]);
  const hasher = RecoveryCodeHasher.fromBase64Keys(currentKey, [oldKey]);

  beforeAll(async () => {
    database = newTestDatabase('reseal');
    dataSource = await openServiceDatabase({
      url: database.url,
      schema: 'auth',
      entities: [...authEntities, OutboxMessage, InboxEntry],
      migrations: authMigrations,
    });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  beforeEach(async () => {
    await dataSource.query('DELETE FROM users');
  });

  /** A user and their sealed secrets; each is given the user id, to seal for it or not. */
  async function userWith(secrets: {
    active?: (userId: string) => string;
    pending?: (userId: string) => string;
  }): Promise<string> {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO users (id, username, password_hash, reseller_id, role) VALUES ($1, $2, 'x', 'acme', 'reseller_user')`,
      [id, `user-${id.slice(0, 8)}`],
    );
    await dataSource.query(
      'INSERT INTO two_factor_credentials (user_id, active_secret, pending_secret) VALUES ($1, $2, $3)',
      [id, secrets.active?.(id) ?? null, secrets.pending?.(id) ?? null],
    );
    return id;
  }

  const rows = async (): Promise<SealedSecrets[]> =>
    new TwoFactorCredentialRepository(dataSource).sealedPage(null, 1000);
  const job = (credentials = new TwoFactorCredentialRepository(dataSource), batchSize = 2) =>
    new ResealSecrets(dataSource, credentials, new RecoveryCodeRepository(dataSource, hasher), box, batchSize);

  it('turns old-key and v1 values, active and pending, into current-key v2 values that open for their user only', async () => {
    const expected: Record<string, { active?: string; pending?: string }> = {};
    const add = async (
      active: ((userId: string) => string) | null,
      pending: ((userId: string) => string) | null,
      name: string,
    ) => {
      const id = await userWith({ active: active ?? undefined, pending: pending ?? undefined });
      expected[id] = { ...(active ? { active: `${name}A` } : {}), ...(pending ? { pending: `${name}P` } : {}) };
    };
    await add((user) => oldBox.seal('OLDKEYV2A', user), null, 'OLDKEYV2');
    await add(
      () => sealV1(oldKey, 'OLDKEYV1A'),
      () => sealV1(oldKey, 'OLDKEYV1P'),
      'OLDKEYV1',
    );
    await add(() => sealV1(currentKey, 'CURKEYV1A'), null, 'CURKEYV1');
    await add(null, (user) => oldBox.seal('PENDINGONLYP', user), 'PENDINGONLY');
    await add((user) => box.seal('CURRENTA', user), null, 'CURRENT');

    const report = await job().run();

    expect(report).toMatchObject({ resealed: 5, alreadyCurrent: 1, changedMeanwhile: 0, unreadable: [], remaining: 0 });
    const currentOnly = SecretBox.fromBase64Keys(currentKey);
    for (const row of await rows()) {
      for (const [field, sealed] of [
        ['active', row.activeSecret],
        ['pending', row.pendingSecret],
      ] as const) {
        expect(sealed === null).toBe(expected[row.userId][field] === undefined);
        if (sealed === null) continue;
        expect(sealed.startsWith(`v2:${keyId(Buffer.from(currentKey, 'base64'))}:`)).toBe(true);
        // Opens without the old key, for its own user and nobody else.
        expect(currentOnly.open(sealed, row.userId)).toBe(expected[row.userId][field]);
        expect(() => currentOnly.open(sealed, randomUUID())).toThrow(/another user/);
      }
    }
  });

  it('leaves alone a value the gateway changed between read and write, and says so', async () => {
    const raced = await userWith({ pending: (user) => oldBox.seal('BEFORESETUP', user) });
    const other = await userWith({ active: () => sealV1(oldKey, 'UNTOUCHED') });
    // What the gateway does meanwhile: a new "Set Up" replaces the pending secret.
    const newPending = box.seal('AFTERSETUP', raced);
    const credentials = new TwoFactorCredentialRepository(dataSource);
    const racing = Object.assign(Object.create(credentials), {
      sealedPage: async (after: string | null, limit: number) => {
        const page = await credentials.sealedPage(after, limit);
        await dataSource.query('UPDATE two_factor_credentials SET pending_secret = $2 WHERE user_id = $1', [
          raced,
          newPending,
        ]);
        return page;
      },
    }) as TwoFactorCredentialRepository;

    const report = await job(racing, 10).run();

    expect(report).toMatchObject({ resealed: 1, changedMeanwhile: 1, unreadable: [], remaining: 0 });
    const byUser = Object.fromEntries((await rows()).map((row) => [row.userId, row]));
    expect(byUser[raced].pendingSecret).toBe(newPending);
    expect(box.open(byUser[other].activeSecret!, other)).toBe('UNTOUCHED');
  });

  it('changes nothing when run a second time', async () => {
    await userWith({ active: () => sealV1(oldKey, 'FIRST') });
    await userWith({ active: () => sealV1(currentKey, 'SECOND'), pending: (user) => oldBox.seal('THIRD', user) });
    await userWith({ pending: () => sealV1(oldKey, 'FOURTH') });

    expect(await job().run()).toMatchObject({ resealed: 4, alreadyCurrent: 0, remaining: 0 });
    const afterFirst = await rows();
    expect(await job().run()).toMatchObject({ resealed: 0, alreadyCurrent: 4, changedMeanwhile: 0, remaining: 0 });
    expect(await rows()).toEqual(afterFirst);
  });

  it('lists the users whose secrets do not open (a key not configured, a value copied from another user), never the values', async () => {
    const lost = await userWith({ active: () => SecretBox.fromBase64Keys(newKey()).seal('LOSTSECRET', randomUUID()) });
    const swapped = await userWith({ active: () => box.seal('SOMEONEELSES', randomUUID()) });
    await userWith({ active: () => sealV1(oldKey, 'FINE') });

    const report = await job().run();

    expect(report).toMatchObject({ resealed: 1, alreadyCurrent: 0, remaining: 1 });
    expect(report.unreadable).toEqual(
      expect.arrayContaining([
        { userId: lost, column: 'active_secret', reason: expect.stringMatching(/not configured/) },
        { userId: swapped, column: 'active_secret', reason: expect.stringMatching(/another user/) },
      ]),
    );
    expect(report.unreadable).toHaveLength(2);
    expect(JSON.stringify(report)).not.toMatch(/LOSTSECRET|SOMEONEELSES/);
  });

  it('counts unused recovery codes by the key their hashes depend on, since they cannot be re-keyed', async () => {
    const codes = new RecoveryCodeRepository(dataSource, hasher);
    const underCurrent = await userWith({ active: (user) => box.seal('X', user) });
    const underOld = await userWith({ active: (user) => box.seal('Y', user) });
    const legacy = await userWith({ active: (user) => box.seal('Z', user) });
    await dataSource.transaction((manager) =>
      codes.replaceAll(manager, underCurrent, ['AAAA-AAAA-AAAA', 'BBBB-BBBB-BBBB']),
    );
    await dataSource.transaction((manager) =>
      new RecoveryCodeRepository(dataSource, RecoveryCodeHasher.fromBase64Keys(oldKey)).replaceAll(manager, underOld, [
        'CCCC-CCCC-CCCC',
      ]),
    );
    await dataSource.query('INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)', [
      randomUUID(),
      legacy,
      legacyRecoveryCodeHash('DDDD-DDDD-DDDD'),
    ]);

    const report = await job().run();

    const id = (key: string) => keyId(Buffer.from(key, 'base64'));
    expect(report.recoveryCodes).toEqual(
      expect.arrayContaining([
        { keyId: id(currentKey), codes: 2, users: 1 },
        { keyId: id(oldKey), codes: 1, users: 1 },
        { keyId: null, codes: 1, users: 1 },
      ]),
    );
    // All three still work: the old key is still configured as previous, legacy hashes are accepted.
    expect(await codes.consume(underOld, 'cccc cccc cccc')).toBe(true);
    expect(await codes.consume(legacy, 'dddd-dddd-dddd')).toBe(true);
    expect(await codes.consume(underCurrent, 'AAAA-AAAA-AAAA')).toBe(true);
    // Without the old key, its codes stop working.
    const withoutOld = new RecoveryCodeRepository(dataSource, RecoveryCodeHasher.fromBase64Keys(currentKey));
    await dataSource.transaction((manager) =>
      new RecoveryCodeRepository(dataSource, RecoveryCodeHasher.fromBase64Keys(oldKey)).replaceAll(manager, underOld, [
        'EEEE-EEEE-EEEE',
      ]),
    );
    expect(await withoutOld.consume(underOld, 'EEEE-EEEE-EEEE')).toBe(false);
  });
});
