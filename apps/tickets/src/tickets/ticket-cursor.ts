import { DomainError, ErrorCodes } from '@pbx2fa/contracts';

/**
 * Where a page ended: the last item's creation time and id. `createdAt` keeps PostgreSQL's
 * microseconds (a JavaScript Date would round them off and skip or repeat rows).
 */
export interface TicketCursor {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

export function encodeCursor(cursor: TicketCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
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

function parse(text: string): TicketCursor | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [createdAt, id] = value as unknown[];
  if (typeof createdAt !== 'string' || !TIMESTAMP.test(createdAt) || Number.isNaN(Date.parse(createdAt))) return null;
  if (typeof id !== 'string' || !UUID.test(id)) return null;
  return { createdAt, id: id.toLowerCase() };
}
