/**
 * The limits and patterns of what people send, written once. The gateway's DTOs, the tickets
 * service's parser and the event schemas all read them from here, so a limit cannot drift
 * between the edge and the service that stores the value.
 */

/** An email address fits; unique regardless of case. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{3,64}$/;
export const USERNAME_RULE = '3 to 64 characters of letters, digits, ".", "_", "@" or "-"';

/** 2–40 of a-z, 0-9 and '-'. */
export const RESELLER_ID_PATTERN = /^[a-z0-9-]{2,40}$/;
export const RESELLER_ID_RULE = '2 to 40 characters of a-z, 0-9 and "-"';

/** Longest text, in characters, of each free-text field. */
export const TextLimits = {
  ticketSubject: 200,
  ticketDescription: 5000,
  comment: 5000,
  /** An agent's note on an approval, and the reason of a rejection (shown to the reseller). */
  decisionNote: 2000,
  search: 200,
  resellerName: 200,
} as const;

/** Any paged list: at most this many items a page; a cursor is opaque and at most this long. */
export const PAGE_SIZE_MAX = 100;
export const CURSOR_MAX_LENGTH = 500;
