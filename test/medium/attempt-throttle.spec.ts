import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '@pbx2fa/persistence';
import { newTestDatabase, type TestDatabase } from '../../libs/persistence/src/testing';
import { InboxEntry, OutboxMessage } from '@pbx2fa/messaging';
import { authEntities } from '../../apps/auth/src/entities';
import { authMigrations } from '../../apps/auth/src/migrations';
import { Clock } from '../../apps/auth/src/common/clock';
import { AttemptThrottle, LOCK_SECONDS, MAX_CONSECUTIVE_FAILURES } from '../../apps/auth/src/throttle/attempt-throttle';
import { DomainError } from '@pbx2fa/contracts';

class MovableClock extends Clock {
  constructor(private at: Date) {
    super();
  }
  override now(): Date {
    return new Date(this.at);
  }
  advance(seconds: number): void {
    this.at = new Date(this.at.getTime() + seconds * 1000);
  }
}

async function lockError(throttle: AttemptThrottle, key: string): Promise<DomainError | null> {
  try {
    await throttle.assertOpen(key, 'passcodes');
    return null;
  } catch (error) {
    return error as DomainError;
  }
}

describe('AttemptThrottle against PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let clock: MovableClock;
  let throttle: AttemptThrottle;

  const open = () => openServiceDatabase({ url: database.url, schema: 'auth', entities: [...authEntities, OutboxMessage, InboxEntry], migrations: authMigrations });

  beforeAll(async () => {
    database = newTestDatabase('throttle');
    dataSource = await open();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  beforeEach(() => {
    clock = new MovableClock(new Date('2026-11-28T12:00:00Z'));
    throttle = new AttemptThrottle(dataSource, clock);
  });

  it('stays open through four failures in a row', async () => {
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES - 1; i++) await throttle.recordFailure('four');
    expect(await lockError(throttle, 'four')).toBeNull();
  });

  it('locks on the fifth failure in a row for five minutes, with Retry-After', async () => {
    let outcome;
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES; i++) outcome = await throttle.recordFailure('five');
    expect(outcome!.lockedUntil?.toISOString()).toBe('2026-11-28T12:05:00.000Z');
    const error = await lockError(throttle, 'five');
    expect(error?.statusCode).toBe(429);
    expect(error?.code).toBe('too_many_attempts');
    expect(Number(error?.headers['Retry-After'])).toBe(LOCK_SECONDS);
  });

  it('keeps the lock until it expires, then opens again', async () => {
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES; i++) await throttle.recordFailure('expiry');
    clock.advance(LOCK_SECONDS - 1);
    expect((await lockError(throttle, 'expiry'))?.headers['Retry-After']).toBe('1');
    clock.advance(2);
    expect(await lockError(throttle, 'expiry')).toBeNull();
  });

  it('starts counting afresh after a lock has expired', async () => {
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES; i++) await throttle.recordFailure('afresh');
    clock.advance(LOCK_SECONDS + 1);
    await throttle.recordFailure('afresh');
    expect(await lockError(throttle, 'afresh')).toBeNull();
  });

  it('forgets failures after a success', async () => {
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES - 1; i++) await throttle.recordFailure('reset');
    await throttle.recordSuccess('reset');
    await throttle.recordFailure('reset');
    expect(await lockError(throttle, 'reset')).toBeNull();
  });

  it('counts failures from concurrent requests without losing any', async () => {
    await Promise.all(Array.from({ length: MAX_CONSECUTIVE_FAILURES }, () => throttle.recordFailure('race')));
    expect((await lockError(throttle, 'race'))?.statusCode).toBe(429);
  });

  it('keeps the lock across a restart (a new connection sees it)', async () => {
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES; i++) await throttle.recordFailure('restart');
    const other = await open();
    try {
      expect((await lockError(new AttemptThrottle(other, clock), 'restart'))?.statusCode).toBe(429);
    } finally {
      await other.destroy();
    }
  });

  it('keeps keys apart', async () => {
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES; i++) await throttle.recordFailure('one-user');
    expect(await lockError(throttle, 'another-user')).toBeNull();
  });
});
