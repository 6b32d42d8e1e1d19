import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { LOCK_SECONDS, passwordKey, secondFactorKey, tooManyAttempts } from './attempt-throttle';

const now = new Date('2026-11-28T12:00:00Z');
const after = (ms: number) => new Date(now.getTime() + ms);

describe('the 429 of a locked key', () => {
  it('says how many minutes are left, rounded up, and gives Retry-After in whole seconds', () => {
    const cases: [number, string, string][] = [
      [LOCK_SECONDS * 1000, '300', '5 minutes'],
      [120_000, '120', '2 minutes'],
      [61_000, '61', '2 minutes'],
      [60_000, '60', '1 minute'],
      [59_001, '60', '1 minute'],
      [1_000, '1', '1 minute'],
      [400, '1', '1 minute'],
    ];
    for (const [leftMs, retryAfter, minutes] of cases) {
      const error = tooManyAttempts(after(leftMs), now, 'passcodes');
      expect({ leftMs, retryAfter: error.headers['Retry-After'], message: error.message }).toEqual({
        leftMs,
        retryAfter,
        message: `Too many wrong passcodes in a row. For your security, try again in ${minutes}.`,
      });
    }
  });

  it('never says to retry in less than a second, even for a lock that just ran out', () => {
    const error = tooManyAttempts(now, now, 'passwords');
    expect(error.headers).toEqual({ 'Retry-After': '1' });
    expect(error.message).toBe('Too many wrong passwords in a row. For your security, try again in 1 minute.');
  });

  it('is the contract’s 429 too_many_attempts', () => {
    const error = tooManyAttempts(after(5_000), now, 'passcodes');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.toBody()).toEqual({
      statusCode: 429,
      error: ErrorCodes.TooManyAttempts,
      message: 'Too many wrong passcodes in a row. For your security, try again in 1 minute.',
    });
  });
});

describe('throttle keys', () => {
  it('counts passwords per user name whatever its case, and per client address', () => {
    expect(passwordKey('Alice', '203.0.113.7')).toBe(passwordKey('alice', '203.0.113.7'));
    expect(passwordKey('alice', '203.0.113.7')).not.toBe(passwordKey('alice', '203.0.113.8'));
    expect(passwordKey('alice', '203.0.113.7')).not.toBe(passwordKey('bob', '203.0.113.7'));
    expect(passwordKey('alice', null)).toBe(passwordKey('ALICE', null));
    expect(passwordKey('alice', null)).not.toBe(passwordKey('alice', '203.0.113.7'));
  });

  it('counts second factors per user, apart from any password key', () => {
    expect(secondFactorKey('u-1')).not.toBe(secondFactorKey('u-2'));
    expect(secondFactorKey('u-1')).not.toBe(passwordKey('u-1', null));
  });

  it('keeps the key formats stored rows already use (a change would forget every lock at an upgrade)', () => {
    expect(secondFactorKey('0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0')).toBe(
      'second-factor:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    );
    expect(passwordKey('Alice', '203.0.113.7')).toBe('password:alice:203.0.113.7');
    expect(passwordKey('alice', null)).toBe('password:alice:unknown');
  });
});
