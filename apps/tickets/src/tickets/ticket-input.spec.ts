import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { encodeCursor } from './ticket-cursor';
import {
  parseCommentBody,
  parseAssignee,
  parseInternal,
  parseListQuery,
  parseNewTicket,
  parseNote,
  parseReason,
  parseTicketId,
  parseTicketRequest,
} from './ticket-input';

const TICKET_ID = '0b7e4a52-3c1d-4c8e-9a57-2f7d1c0e9b11';

function refusal(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}
const validationFailed = { statusCode: 400, code: ErrorCodes.ValidationFailed };

describe('ticket input', () => {
  describe('a new ticket', () => {
    it('fills in a readable subject from the type', () => {
      expect(parseNewTicket({ type: 'enable_2fa' })).toEqual({
        type: 'enable_2fa',
        subject: 'Enable two-factor authentication',
        description: '',
        targetUsername: null,
        graceDays: null,
        resellerId: undefined,
      });
      expect(parseNewTicket({ type: 'require_2fa', graceDays: 14 }).subject).toBe(
        'Require two-factor authentication for every user',
      );
      expect(parseNewTicket({ type: 'disable_2fa' }).subject).toBe('Disable two-factor authentication');
      expect(parseNewTicket({ type: 'general' }).subject).toBe('Support request');
      expect(parseNewTicket({ type: 'reset_user_2fa', targetUsername: 'bob' }).subject).toBe(
        'Reset two-factor authentication for bob',
      );
    });

    it('keeps a given subject and description, trimmed', () => {
      const input = parseNewTicket({
        type: 'general',
        subject: '  Hello ',
        description: ' Please help. ',
        resellerId: 'acme',
      });
      expect(input).toMatchObject({ subject: 'Hello', description: 'Please help.', resellerId: 'acme' });
    });

    it.each([
      ['no type', {}],
      ['an unknown type', { type: 'make_coffee' }],
      ['a type that is not text', { type: 3 }],
      ['reset_user_2fa without targetUsername', { type: 'reset_user_2fa' }],
      ['reset_user_2fa with a blank targetUsername', { type: 'reset_user_2fa', targetUsername: '  ' }],
      ['targetUsername on another type', { type: 'enable_2fa', targetUsername: 'bob' }],
      ['a targetUsername no user can have', { type: 'reset_user_2fa', targetUsername: 'bob smith' }],
      ['a targetUsername over 64 characters', { type: 'reset_user_2fa', targetUsername: 'b'.repeat(65) }],
      ['a subject over 200 characters', { type: 'general', subject: 'x'.repeat(201) }],
      ['a description over 5000 characters', { type: 'general', description: 'x'.repeat(5001) }],
      ['a subject that is not text', { type: 'general', subject: ['a'] }],
      ['a malformed resellerId', { type: 'general', resellerId: 'ACME!' }],
      ['require_2fa without graceDays', { type: 'require_2fa' }],
      ['require_2fa with 91 graceDays', { type: 'require_2fa', graceDays: 91 }],
      ['require_2fa with -1 graceDays', { type: 'require_2fa', graceDays: -1 }],
      ['require_2fa with graceDays as text', { type: 'require_2fa', graceDays: '7' }],
      ['require_2fa with a fraction of a day', { type: 'require_2fa', graceDays: 1.5 }],
      ['graceDays on enable_2fa', { type: 'enable_2fa', graceDays: 7 }],
      ['graceDays on disable_2fa', { type: 'disable_2fa', graceDays: 0 }],
    ])('refuses %s with 400 validation_failed', (_, body) => {
      expect(refusal(() => parseNewTicket(body))).toMatchObject(validationFailed);
    });

    it('takes graceDays of 0 to 90 on a require_2fa ticket', () => {
      expect(parseNewTicket({ type: 'require_2fa', graceDays: 0 }).graceDays).toBe(0);
      expect(parseNewTicket({ type: 'require_2fa', graceDays: 90 }).graceDays).toBe(90);
    });

    it('accepts a subject of exactly 200 and a description of exactly 5000 characters', () => {
      expect(() =>
        parseNewTicket({ type: 'general', subject: 'x'.repeat(200), description: 'y'.repeat(5000) }),
      ).not.toThrow();
    });

    it('refuses a body that is not an object', () => {
      expect(refusal(() => parseNewTicket('enable_2fa'))).toMatchObject(validationFailed);
      expect(refusal(() => parseNewTicket([]))).toMatchObject(validationFailed);
    });
  });

  describe('a listing', () => {
    it('defaults to 20 items of any status, type and reseller, newest first', () => {
      expect(parseListQuery(undefined)).toEqual({
        limit: 20,
        status: undefined,
        type: undefined,
        resellerId: undefined,
        assignee: undefined,
        search: [],
        sort: 'newest',
        cursor: undefined,
      });
    });

    it('lists open tickets oldest first unless told otherwise', () => {
      expect(parseListQuery({ status: 'open' }).sort).toBe('oldest');
      expect(parseListQuery({ status: 'open', sort: 'newest' }).sort).toBe('newest');
      expect(parseListQuery({ status: 'resolved' }).sort).toBe('newest');
      expect(parseListQuery({ sort: 'oldest' }).sort).toBe('oldest');
    });

    it('reads filters, a numeric or textual limit and a cursor', () => {
      const cursor = { createdAt: '2026-01-31T12:34:56.123456Z', id: TICKET_ID, sort: 'oldest' as const };
      expect(
        parseListQuery({
          status: 'open',
          type: 'enable_2fa',
          resellerId: 'acme',
          assignee: 'Bob.Agent',
          q: '  Bluewave  PASSWORD bluewave ',
          resellersNamed: [['bluewave-tel'], []],
          limit: '5',
          cursor: encodeCursor(cursor),
        }),
      ).toEqual({
        status: 'open',
        type: 'enable_2fa',
        resellerId: 'acme',
        assignee: 'bob.agent',
        search: [
          { word: 'bluewave', resellersNamed: ['bluewave-tel'] },
          { word: 'password', resellersNamed: [] },
        ],
        sort: 'oldest',
        limit: 5,
        cursor,
      });
      expect(parseListQuery({ assignee: 'me' }).assignee).toBe('me');
      expect(parseListQuery({ limit: 100 }).limit).toBe(100);
      expect(parseListQuery({ limit: 1 }).limit).toBe(1);
    });

    it.each([0, 101, -1, 2.5, '0', 'ten', '1e2', true])('refuses limit %p with 400', (limit) => {
      expect(refusal(() => parseListQuery({ limit }))).toMatchObject(validationFailed);
    });

    it('refuses an unknown status or type with 400', () => {
      expect(refusal(() => parseListQuery({ status: 'pending' }))).toMatchObject(validationFailed);
      expect(refusal(() => parseListQuery({ type: 'other' }))).toMatchObject(validationFailed);
    });

    it.each([
      ['an unknown order', { sort: 'random' }],
      ['an assignee that is no username', { assignee: 'x' }],
      ['a search longer than 200 characters', { q: 'x'.repeat(201) }],
      ['reseller names that are not ids', { q: 'a', resellersNamed: [['Not An Id']] }],
      ['reseller names that are not lists', { q: 'a', resellersNamed: 'acme' }],
    ])('refuses %s with 400', (_, query) => {
      expect(refusal(() => parseListQuery(query))).toMatchObject(validationFailed);
    });

    it("refuses a cursor of the other order with 400 invalid_cursor, open tickets' default included", () => {
      const newest = encodeCursor({ createdAt: '2026-01-31T12:34:56Z', id: TICKET_ID, sort: 'newest' });
      expect(refusal(() => parseListQuery({ status: 'open', cursor: newest }))).toMatchObject({
        statusCode: 400,
        code: ErrorCodes.InvalidCursor,
      });
      expect(parseListQuery({ status: 'open', sort: 'newest', cursor: newest }).cursor?.sort).toBe('newest');
    });

    it('refuses a garbage cursor with 400 invalid_cursor', () => {
      expect(refusal(() => parseListQuery({ cursor: 'garbage!' }))).toMatchObject({
        statusCode: 400,
        code: ErrorCodes.InvalidCursor,
      });
    });
  });

  describe('ids and texts', () => {
    it('reads a ticket id in lower case', () => {
      expect(parseTicketId(TICKET_ID.toUpperCase())).toBe(TICKET_ID);
      expect(parseTicketRequest({ ticketId: TICKET_ID, note: 'ok' })).toEqual({ ticketId: TICKET_ID, note: 'ok' });
    });

    it.each(['', 'abc', `${TICKET_ID}x`, 42, undefined, null])('refuses id %p with 400 invalid_id', (id) => {
      expect(refusal(() => parseTicketId(id))).toMatchObject({ statusCode: 400, code: ErrorCodes.InvalidId });
    });

    it('refuses a request without a ticket id with 400 invalid_id', () => {
      expect(refusal(() => parseTicketRequest({}))).toMatchObject({ statusCode: 400, code: ErrorCodes.InvalidId });
    });

    it('needs a comment body of 1 to 5000 characters', () => {
      expect(parseCommentBody(' hi ')).toBe('hi');
      expect(parseCommentBody('x'.repeat(5000))).toHaveLength(5000);
      for (const body of [undefined, '', '   ', 'x'.repeat(5001), 12]) {
        expect(refusal(() => parseCommentBody(body))).toMatchObject(validationFailed);
      }
    });

    it('reads an assignee as a username in lower case, or null for nobody', () => {
      expect(parseAssignee('Bob.Agent')).toBe('bob.agent');
      expect(parseAssignee(null)).toBeNull();
      for (const value of [undefined, '', 'x', 42, ['bob']]) {
        expect(refusal(() => parseAssignee(value))).toMatchObject(validationFailed);
      }
    });

    it('reads internal as a boolean, false when absent', () => {
      expect(parseInternal(undefined)).toBe(false);
      expect(parseInternal(true)).toBe(true);
      expect(refusal(() => parseInternal('yes'))).toMatchObject(validationFailed);
    });

    it('takes an optional note and a required reason of at most 2000 characters, as the gateway does', () => {
      expect(parseNote(undefined)).toBeNull();
      expect(parseNote(' fine ')).toBe('fine');
      expect(parseNote('x'.repeat(2000))).toHaveLength(2000);
      expect(refusal(() => parseNote('x'.repeat(2001)))).toMatchObject(validationFailed);
      expect(parseReason('y'.repeat(2000))).toHaveLength(2000);
      expect(refusal(() => parseReason('y'.repeat(2001)))).toMatchObject(validationFailed);
      expect(parseReason('Not eligible')).toBe('Not eligible');
      expect(refusal(() => parseReason(undefined))).toMatchObject(validationFailed);
      expect(refusal(() => parseReason('  '))).toMatchObject(validationFailed);
    });
  });
});
