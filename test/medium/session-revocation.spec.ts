import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '@pbx2fa/persistence';
import { newTestDatabase, type TestDatabase } from '../../libs/persistence/src/testing';
import { InboxEntry, OutboxMessage } from '@pbx2fa/messaging';
import { authEntities } from '../../apps/auth/src/entities';
import { authMigrations } from '../../apps/auth/src/migrations';
import { AuditEvents } from '../../apps/auth/src/audit/audit-events';
import { SessionRepository } from '../../apps/auth/src/sessions/session.repository';

/** Ending a user's sessions when their second factor changes: whose, which, and within what. */
describe('SessionRepository.revokeAllOfUser', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let sessions: SessionRepository;

  beforeAll(async () => {
    database = newTestDatabase('sessions');
    dataSource = await openServiceDatabase({
      url: database.url,
      schema: 'auth',
      entities: [...authEntities, OutboxMessage, InboxEntry],
      migrations: authMigrations,
    });
    sessions = new SessionRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function newUser(): Promise<string> {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO users (id, username, password_hash, reseller_id, role) VALUES ($1, $2, 'x', 'acme', 'reseller_user')`,
      [id, `user-${id.slice(0, 8)}`],
    );
    return id;
  }

  async function signIn(userId: string, expiresInMs = 60_000): Promise<string> {
    const id = randomUUID();
    const audit = { event: AuditEvents.Login, outcome: 'success' as const, userId, username: 'someone' };
    await sessions.open(
      {
        id,
        userId,
        purpose: 'access',
        amr: ['pwd'],
        expiresAt: new Date(Date.now() + expiresInMs),
        clientIp: null,
        userAgent: null,
      },
      audit,
    );
    return id;
  }

  const live = async (...ids: string[]) => Promise.all(ids.map(async (id) => (await sessions.findLive(id)) !== null));

  it("ends the user's other live sessions, keeps the one named, and counts what it ended", async () => {
    const userId = await newUser();
    const [own, phone, tablet] = [await signIn(userId), await signIn(userId), await signIn(userId)];
    expect(await dataSource.transaction((manager) => sessions.revokeAllOfUser(manager, userId, own))).toBe(2);
    expect(await live(own, phone, tablet)).toEqual([true, false, false]);
  });

  it('ends every session when none is to be kept', async () => {
    const userId = await newUser();
    const ids = [await signIn(userId), await signIn(userId)];
    expect(await dataSource.transaction((manager) => sessions.revokeAllOfUser(manager, userId))).toBe(2);
    expect(await live(...ids)).toEqual([false, false]);
  });

  it("leaves other users' sessions alone, and does not count sessions already ended or expired", async () => {
    const userId = await newUser();
    const someoneElse = await newUser();
    const theirs = await signIn(someoneElse);
    const loggedOut = await signIn(userId);
    await sessions.revoke(loggedOut);
    await signIn(userId, -1000);
    const current = await signIn(userId);
    expect(await dataSource.transaction((manager) => sessions.revokeAllOfUser(manager, userId))).toBe(1);
    expect(await live(theirs, current)).toEqual([true, false]);
  });

  it('ends nothing when the change it belongs to rolls back', async () => {
    const userId = await newUser();
    const phone = await signIn(userId);
    await expect(
      dataSource.transaction(async (manager) => {
        await sessions.revokeAllOfUser(manager, userId);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await live(phone)).toEqual([true]);
  });
});
