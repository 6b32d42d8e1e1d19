import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { cursorFor, decodeCursor, encodeCursor } from './ticket-cursor';

const cursor = {
  createdAt: '2026-01-31T12:34:56.123456Z',
  id: '0b7e4a52-3c1d-4c8e-9a57-2f7d1c0e9b11',
  sort: 'newest' as const,
};

function refusal(value: unknown): DomainError {
  try {
    decodeCursor(value);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe('ticket cursor', () => {
  it('round-trips the creation time to the microsecond and the id', () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('round-trips an oldest-first cursor, and refuses it for the newest-first list', () => {
    const oldest = { ...cursor, sort: 'oldest' as const };
    expect(cursorFor(encodeCursor(oldest), 'oldest')).toEqual(oldest);
    expect(() => cursorFor(encodeCursor(oldest), 'newest')).toThrow(/oldest-first/);
    expect(() => cursorFor(encodeCursor(cursor), 'oldest')).toThrow(/newest-first/);
  });

  it('still reads the two-item cursors given out before there was a choice of order', () => {
    const old = Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
    expect(decodeCursor(old)).toEqual(cursor);
  });

  it('is URL-safe', () => {
    expect(encodeCursor(cursor)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('accepts a time without fractional seconds', () => {
    const plain = { ...cursor, createdAt: '2026-01-31T12:34:56Z' };
    expect(decodeCursor(encodeCursor(plain))).toEqual(plain);
  });

  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['not base64url', 'not a cursor!'],
    ['empty', ''],
    ['a number', 42],
    ['undefined', undefined],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['an object instead of a pair', encode({ createdAt: cursor.createdAt, id: cursor.id })],
    ['a pair with a bad time', encode(['yesterday', cursor.id])],
    ['a pair with an impossible date', encode(['2026-13-45T99:00:00Z', cursor.id])],
    ['a pair with a bad id', encode([cursor.createdAt, 'nope'])],
    ['a third item that is no order', encode([cursor.createdAt, cursor.id, 1])],
    ['four items', encode([cursor.createdAt, cursor.id, 'oldest', 1])],
    ['far too long', 'a'.repeat(500)],
  ])('refuses %s with 400 invalid_cursor', (_, value) => {
    const error = refusal(value);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe(ErrorCodes.InvalidCursor);
  });
});
