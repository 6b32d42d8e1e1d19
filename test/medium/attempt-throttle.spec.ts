import type { DataSource } from 'typeorm';
import {
  AttemptThrottle,
  LOCK_SECONDS,
  MAX_CONSECUTIVE_FAILURES,
  type ReservedAttempt,
} from '../../apps/auth/src/throttle/attempt-throttle';
import { DomainError } from '@pbx2fa/contracts';
import { openMediumDatabase, type MediumDatabase } from './support/databases';
import { MovableClock } from './support/movable-clock';

/** The 429 `reserve` throws, or null when it let the attempt through. */
async function refusal(throttle: AttemptThrottle, key: string): Promise<DomainError | null> {
  try {
    await throttle.reserve(key, 'passcodes');
    return null;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return error;
  }
}

/** `count` wrong attempts, one after the other; returns the last one's reservation. */
async function failures(throttle: AttemptThrottle, key: string, count: number): Promise<ReservedAttempt | undefined> {
  let last: ReservedAttempt | undefined;
  for (let i = 0; i < count; i++) last = await throttle.reserve(key, 'passcodes');
  return last;
}

describe('AttemptThrottle against PostgreSQL', () => {
  let db: MediumDatabase;
  let dataSource: DataSource;
  let clock: MovableClock;
  let throttle: AttemptThrottle;

  beforeAll(async () => {
    db = await openMediumDatabase('auth', 'throttle');
    dataSource = db.dataSource;
  });

  afterAll(() => db?.close());

  beforeEach(() => {
    clock = new MovableClock(new Date('2026-11-28T12:00:00Z'));
    throttle = new AttemptThrottle(dataSource, clock);
  });

  it('lets four wrong attempts in a row through, counting each', async () => {
    const counts = [];
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES - 1; i++)
      counts.push((await throttle.reserve('four', 'passcodes')).failuresIfWrong);
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(await refusal(throttle, 'four')).toBeNull();
  });

  it('locks with the fifth attempt for five minutes, with Retry-After and a message that says so', async () => {
    const fifth = await failures(throttle, 'five', MAX_CONSECUTIVE_FAILURES);
    expect(fifth).toMatchObject({ failuresIfWrong: 5, locksUntil: new Date('2026-11-28T12:05:00.000Z') });
    const error = await refusal(throttle, 'five');
    expect(error?.statusCode).toBe(429);
    expect(error?.code).toBe('too_many_attempts');
    expect(error?.headers['Retry-After']).toBe(String(LOCK_SECONDS));
    expect(error?.message).toBe('Too many wrong passcodes in a row. For your security, try again in 5 minutes.');
  });

  it('only the attempt that takes the last of the allowance carries the lock', async () => {
    const locks = [];
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES; i++)
      locks.push((await throttle.reserve('carrier', 'passcodes')).locksUntil);
    expect(locks).toEqual([null, null, null, null, new Date('2026-11-28T12:05:00.000Z')]);
  });

  it('refuses a key at five failures without a lock (its lock was given back) for a whole lock period', async () => {
    await dataSource.query(
      'INSERT INTO attempt_throttles (key, consecutive_failures, locked_until, updated_at) VALUES ($1, 5, NULL, $2)',
      ['unlocked-five', clock.now()],
    );
    const error = await refusal(throttle, 'unlocked-five');
    expect(error?.headers['Retry-After']).toBe(String(LOCK_SECONDS));
    expect(error?.message).toContain('try again in 5 minutes.');
  });

  it('keeps the lock until the exact instant it expires, then opens a new run', async () => {
    await failures(throttle, 'expiry', MAX_CONSECUTIVE_FAILURES);
    clock.advance(LOCK_SECONDS - 1);
    const error = await refusal(throttle, 'expiry');
    expect(error?.headers['Retry-After']).toBe('1');
    expect(error?.message).toContain('try again in 1 minute.');
    clock.advance(1);
    const after = await throttle.reserve('expiry', 'passcodes');
    expect(after).toMatchObject({ failuresIfWrong: 1, locksUntil: null });
  });

  it('a right answer gives back the run, its own attempt included', async () => {
    await failures(throttle, 'reset', MAX_CONSECUTIVE_FAILURES - 2);
    const right = await throttle.reserve('reset', 'passcodes');
    await throttle.succeeded(right);
    expect((await throttle.reserve('reset', 'passcodes')).failuresIfWrong).toBe(1);
  });

  it('a right answer with the last of the allowance lifts the lock it would have set', async () => {
    const fifth = await failures(throttle, 'last-right', MAX_CONSECUTIVE_FAILURES);
    expect(await refusal(throttle, 'last-right')).not.toBeNull();
    await throttle.succeeded(fifth!);
    expect(await refusal(throttle, 'last-right')).toBeNull();
  });

  it('gives back an attempt that was never checked, and the lock it set', async () => {
    await failures(throttle, 'unchecked', MAX_CONSECUTIVE_FAILURES - 1);
    const fifth = await throttle.reserve('unchecked', 'passcodes');
    expect(await refusal(throttle, 'unchecked')).not.toBeNull();
    await throttle.release(fifth);
    expect((await throttle.reserve('unchecked', 'passcodes')).failuresIfWrong).toBe(MAX_CONSECUTIVE_FAILURES);
  });

  it('of 200 attempts at once on one key, lets exactly five through', async () => {
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => refusal(throttle, 'race')));
    expect(outcomes.filter((outcome) => outcome === null)).toHaveLength(MAX_CONSECUTIVE_FAILURES);
    expect(outcomes.filter((outcome) => outcome?.statusCode === 429)).toHaveLength(200 - MAX_CONSECUTIVE_FAILURES);
  });

  it('of attempts at once through two connections (two replicas), lets five through', async () => {
    const replicas = [throttle, new AttemptThrottle(await db.another(), clock)];
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => refusal(replicas[i % 2], 'two-replicas')));
    expect(outcomes.filter((outcome) => outcome === null)).toHaveLength(MAX_CONSECUTIVE_FAILURES);
  });

  it('keeps the lock across a restart (a new connection sees it)', async () => {
    await failures(throttle, 'restart', MAX_CONSECUTIVE_FAILURES);
    expect((await refusal(new AttemptThrottle(await db.another(), clock), 'restart'))?.statusCode).toBe(429);
  });

  it('keeps keys apart: a locked key leaves a key with failures of its own open', async () => {
    await failures(throttle, 'one-user', MAX_CONSECUTIVE_FAILURES);
    await failures(throttle, 'another-user', MAX_CONSECUTIVE_FAILURES - 1);
    expect(await refusal(throttle, 'one-user')).not.toBeNull();
    expect((await throttle.reserve('another-user', 'passcodes')).failuresIfWrong).toBe(MAX_CONSECUTIVE_FAILURES);
  });

  it('opens a lock written before reservations existed (count 0) once it expires', async () => {
    await dataSource.query(
      'INSERT INTO attempt_throttles (key, consecutive_failures, locked_until, updated_at) VALUES ($1, 0, $2, $2)',
      ['legacy', new Date('2026-11-28T12:01:00Z')],
    );
    expect((await refusal(throttle, 'legacy'))?.headers['Retry-After']).toBe('60');
    clock.advance(60);
    expect((await throttle.reserve('legacy', 'passcodes')).failuresIfWrong).toBe(1);
  });
});
