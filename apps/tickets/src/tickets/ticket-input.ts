import {
  DomainError,
  ErrorCodes,
  GRACE_DAYS_MAX,
  GRACE_DAYS_MIN,
  MAX_SEARCH_WORDS,
  PAGE_SIZE_MAX,
  RESELLER_ID_PATTERN,
  RESELLER_ID_RULE,
  searchWords,
  TextLimits,
  TICKET_PAGE_SIZE_DEFAULT,
  TicketSorts,
  TicketStatuses,
  TicketTypes,
  USERNAME_PATTERN,
  type TicketSort,
  type TicketStatus,
  type TicketType,
} from '@pbx2fa/contracts';
import { cursorFor, type TicketCursor } from './ticket-cursor';

/**
 * Reads what the gateway forwarded, refusing with the contract's 400 before any rule runs. The
 * limits are the gateway's own (`@pbx2fa/contracts` input-rules): a caller that skips the gateway
 * gets no more room than one that goes through it.
 */

/** Resellers whose name holds one search word: enough for any name a person types. */
const MAX_NAMED_RESELLERS = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const DEFAULT_SUBJECTS: Record<TicketType, (target: string | null) => string> = {
  enable_2fa: () => 'Enable two-factor authentication',
  require_2fa: () => 'Require two-factor authentication for every user',
  disable_2fa: () => 'Disable two-factor authentication',
  reset_user_2fa: (target) => `Reset two-factor authentication for ${target}`,
  general: () => 'Support request',
};

export interface NewTicketInput {
  type: TicketType;
  subject: string;
  description: string;
  targetUsername: string | null;
  graceDays: number | null;
  resellerId?: string;
}

/** One word of a search, with the resellers whose name holds it. */
export interface SearchWord {
  word: string;
  resellersNamed: string[];
}

export interface TicketListInput {
  status?: TicketStatus;
  type?: TicketType;
  resellerId?: string;
  /** A username, or `me`. */
  assignee?: string;
  search: SearchWord[];
  sort: TicketSort;
  limit: number;
  cursor?: TicketCursor;
}

function invalid(message: string): DomainError {
  return new DomainError(400, ErrorCodes.ValidationFailed, message);
}

function objectOf(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** Trimmed text, or undefined when absent or blank. */
function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be text.`);
  const text = value.trim();
  if (text.length > max) throw invalid(`${field} can be at most ${max} characters long.`);
  return text || undefined;
}

function optionalEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw invalid(`${field} must be one of ${allowed.join(', ')}.`);
  return value as T;
}

function optionalResellerId(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !RESELLER_ID_PATTERN.test(value)) {
    throw invalid(`resellerId must be ${RESELLER_ID_RULE}.`);
  }
  return value;
}

export function parseNewTicket(body: unknown): NewTicketInput {
  const fields = objectOf(body);
  const type = optionalEnum(fields.type, 'type', TicketTypes);
  if (!type) throw invalid(`Say what the ticket is for: type must be one of ${TicketTypes.join(', ')}.`);
  const targetUsername = optionalTargetUsername(fields.targetUsername);
  if (type === 'reset_user_2fa' && !targetUsername) {
    throw invalid(
      'A reset_user_2fa ticket needs targetUsername: the user whose two-factor authentication should be reset.',
    );
  }
  if (type !== 'reset_user_2fa' && targetUsername) throw invalid('targetUsername is only for reset_user_2fa tickets.');
  const graceDays = parseGraceDays(type, fields.graceDays);
  return {
    type,
    subject:
      optionalText(fields.subject, 'subject', TextLimits.ticketSubject) ?? DEFAULT_SUBJECTS[type](targetUsername),
    description: optionalText(fields.description, 'description', TextLimits.ticketDescription) ?? '',
    targetUsername,
    graceDays,
    resellerId: optionalResellerId(fields.resellerId),
  };
}

/** A require_2fa ticket says how many days users get to enroll; no other ticket carries it. */
function parseGraceDays(type: TicketType, value: unknown): number | null {
  if (type !== 'require_2fa') {
    if (value !== undefined && value !== null) throw invalid('graceDays is only for require_2fa tickets.');
    return null;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < GRACE_DAYS_MIN || value > GRACE_DAYS_MAX) {
    throw invalid(
      `A require_2fa ticket needs graceDays: a whole number of days from ${GRACE_DAYS_MIN} to ${GRACE_DAYS_MAX} that users get to set up two-factor authentication (0: at their next sign-in).`,
    );
  }
  return value;
}

/** `limit` may come as a number or, straight from a query string, as digits. */
function parseLimit(value: unknown): number {
  if (value === undefined || value === null || value === '') return TICKET_PAGE_SIZE_DEFAULT;
  const limit = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > PAGE_SIZE_MAX) {
    throw invalid(`limit must be a whole number from 1 to ${PAGE_SIZE_MAX}.`);
  }
  return limit;
}

function optionalUsername(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !USERNAME_PATTERN.test(value)) throw invalid(`${field} must be a username.`);
  return value.toLowerCase();
}

/** The user a reset is for, as typed (trimmed): their username, in any case. */
function optionalTargetUsername(value: unknown): string | null {
  const text = typeof value === 'string' ? value.trim() : value;
  if (text === undefined || text === null || text === '') return null;
  if (typeof text !== 'string' || !USERNAME_PATTERN.test(text)) throw invalid('targetUsername must be a username.');
  return text;
}

/** The words of `q`, each with the resellers named like it (the gateway's lookup, one list per word). */
function parseSearch(q: unknown, named: unknown): SearchWord[] {
  const text = optionalText(q, 'q', TextLimits.search);
  const words = searchWords(text);
  if (named !== undefined && named !== null) {
    const valid =
      Array.isArray(named) &&
      named.length <= MAX_SEARCH_WORDS &&
      named.every(
        (ids) =>
          Array.isArray(ids) &&
          ids.length <= MAX_NAMED_RESELLERS &&
          ids.every((id) => typeof id === 'string' && RESELLER_ID_PATTERN.test(id)),
      );
    if (!valid) throw invalid('resellersNamed must be a list of reseller ids for each word of q.');
  }
  const lists = (named ?? []) as string[][];
  return words.map((word, index) => ({ word, resellersNamed: lists[index] ?? [] }));
}

/** Open tickets are worked oldest first; any other list reads newest first unless told. */
function parseSort(value: unknown, status: TicketStatus | undefined): TicketSort {
  return optionalEnum(value, 'sort', TicketSorts) ?? (status === 'open' ? 'oldest' : 'newest');
}

export function parseListQuery(query: unknown): TicketListInput {
  const fields = objectOf(query);
  const status = optionalEnum(fields.status, 'status', TicketStatuses);
  const sort = parseSort(fields.sort, status);
  const cursor =
    fields.cursor === undefined || fields.cursor === null || fields.cursor === ''
      ? undefined
      : cursorFor(fields.cursor, sort);
  const assignee = fields.assignee === 'me' ? 'me' : optionalUsername(fields.assignee, 'assignee');
  return {
    status,
    type: optionalEnum(fields.type, 'type', TicketTypes),
    resellerId: optionalResellerId(fields.resellerId),
    assignee,
    search: parseSearch(fields.q, fields.resellersNamed),
    sort,
    limit: parseLimit(fields.limit),
    cursor,
  };
}

/** `{ assignee }`: an agent's username (the gateway checked it is one), or null for nobody. */
export function parseAssignee(value: unknown): string | null {
  if (value === null) return null;
  const assignee = optionalUsername(value, 'assignee');
  if (!assignee) throw invalid("Say who should work on the ticket: assignee is an agent's username, or null.");
  return assignee;
}

export function parseInternal(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalid('internal must be true or false.');
  return value;
}

export function parseTicketId(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new DomainError(400, ErrorCodes.InvalidId, 'That is not a ticket id; ticket ids are UUIDs.');
  }
  return value.toLowerCase();
}

/** The body of a request that names a ticket, e.g. `{ ticketId, note }`. */
export function parseTicketRequest(body: unknown): Record<string, unknown> & { ticketId: string } {
  const fields = objectOf(body);
  return { ...fields, ticketId: parseTicketId(fields.ticketId) };
}

export function parseCommentBody(value: unknown): string {
  const body = optionalText(value, 'body', TextLimits.comment);
  if (!body) throw invalid('A comment needs some text in body.');
  return body;
}

export function parseNote(value: unknown): string | null {
  return optionalText(value, 'note', TextLimits.decisionNote) ?? null;
}

export function parseReason(value: unknown): string {
  const reason = optionalText(value, 'reason', TextLimits.decisionNote);
  if (!reason) throw invalid('Give a reason for rejecting the ticket; whoever opened it will read it.');
  return reason;
}
