import { DomainError, ErrorCodes } from '@pbx2fa/contracts';

/** Where a page of users ended: the last username, as an opaque token. */
export const encodeUserCursor = (username: string): string => Buffer.from(username, 'utf8').toString('base64url');

const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;
const STORED_USERNAME = /^[a-z0-9._@-]{1,64}$/;

export function decodeUserCursor(value: string): string {
  const username = BASE64URL.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
  if (!STORED_USERNAME.test(username)) {
    throw new DomainError(
      400,
      ErrorCodes.InvalidCursor,
      'That cursor is not one this list gave out; start again from the first page.',
    );
  }
  return username;
}
