import { DomainError, ErrorCodes, type TicketSort } from '@pbx2fa/contracts';

/**
 * Where a page ended: the last item's creation time and id, and the order the list was in.
 * `createdAt` keeps PostgreSQL's microseconds (a JavaScript Date would round them off and skip or
 * repeat rows). A cursor of one order handed to the other would skip half the list, so it is
 * refused.
 */
export interface TicketCursor {
  createdAt: string;
  id: string;
  sort: TicketSort;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/** Newest-first cursors keep the two-item form they always had, so cursors given out before still work. */
export function encodeCursor(cursor: TicketCursor): string {
  const items = cursor.sort === 'newest' ? [cursor.createdAt, cursor.id] : [cursor.createdAt, cursor.id, cursor.sort];
  return Buffer.from(JSON.stringify(items)).toString('base64url');
}

export function decodeCursor(value: unknown): TicketCursor {
  const decoded =
    typeof value === 'string' && BASE64URL.test(value) ? parse(Buffer.from(value, 'base64url').toString('utf8')) : null;
  if (!decoded) {
    throw new DomainError(
      400,
      ErrorCodes.InvalidCursor,
      'That cursor is not one this list gave out; start again from the first page.',
    );
  }
  return decoded;
}

/** The cursor, checked against the order asked for. */
export function cursorFor(value: unknown, sort: TicketSort): TicketCursor {
  const cursor = decodeCursor(value);
  if (cursor.sort !== sort) {
    throw new DomainError(
      400,
      ErrorCodes.InvalidCursor,
      `That cursor belongs to the ${cursor.sort}-first list; ask with sort=${cursor.sort}, or start again from the first page.`,
    );
  }
  return cursor;
}

function parse(text: string): TicketCursor | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3)) return null;
  const [createdAt, id, sort = 'newest'] = value as unknown[];
  if (typeof createdAt !== 'string' || !TIMESTAMP.test(createdAt) || Number.isNaN(Date.parse(createdAt))) return null;
  if (typeof id !== 'string' || !UUID.test(id)) return null;
  if (sort !== 'oldest' && sort !== 'newest') return null;
  return { createdAt, id: id.toLowerCase(), sort };
}
