import { DomainError, ErrorCodes, type Actor } from '@pbx2fa/contracts';
import {
  audienceOf,
  canSee,
  requireActor,
  requireAgent,
  requireMayAskFor,
  requireMayComment,
  requireNotOpener,
  requireOpener,
  requireVisible,
  resellerForNewTicket,
  resellerScopeForList,
} from './ticket-access.policy';

const actor = (overrides: Partial<Actor> = {}): Actor => ({
  userId: 'u-1',
  username: 'alice',
  role: 'reseller_user',
  resellerId: 'acme',
  ...overrides,
});
const agent = (overrides: Partial<Actor> = {}) =>
  actor({ username: 'agent-smith', role: 'agent', resellerId: null, ...overrides });

function refusal(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('ticket access policy', () => {
  describe('requireActor', () => {
    it('refuses a request without an authenticated caller with 401', () => {
      expect(refusal(() => requireActor(undefined))).toMatchObject({ statusCode: 401, code: ErrorCodes.Unauthorized });
    });

    it('passes the caller through', () => {
      const caller = actor();
      expect(requireActor(caller)).toBe(caller);
    });
  });

  describe('opening a ticket', () => {
    it('puts a reseller user’s ticket on their own reseller', () => {
      expect(resellerForNewTicket(actor(), undefined)).toBe('acme');
      expect(resellerForNewTicket(actor({ role: 'reseller_admin' }), 'acme')).toBe('acme');
    });

    it('refuses a reseller user who names another reseller with 403', () => {
      expect(refusal(() => resellerForNewTicket(actor(), 'globex'))).toMatchObject({
        statusCode: 403,
        code: ErrorCodes.Forbidden,
      });
    });

    it('refuses a caller who belongs to no reseller with 403', () => {
      expect(refusal(() => resellerForNewTicket(actor({ resellerId: null }), undefined)).statusCode).toBe(403);
    });

    it('lets an agent open a ticket for any reseller they name', () => {
      expect(resellerForNewTicket(agent(), 'globex')).toBe('globex');
    });

    it('asks an agent to name the reseller with 400', () => {
      expect(refusal(() => resellerForNewTicket(agent(), undefined))).toMatchObject({
        statusCode: 400,
        code: ErrorCodes.ValidationFailed,
      });
    });
  });

  describe('listing', () => {
    it('limits a reseller user to their reseller', () => {
      expect(resellerScopeForList(actor(), undefined)).toBe('acme');
      expect(resellerScopeForList(actor(), 'acme')).toBe('acme');
    });

    it('refuses a reseller user who asks for another reseller with 403', () => {
      expect(refusal(() => resellerScopeForList(actor(), 'globex'))).toMatchObject({
        statusCode: 403,
        code: ErrorCodes.Forbidden,
      });
    });

    it('shows an agent every reseller, or the one they filter on', () => {
      expect(resellerScopeForList(agent(), undefined)).toBeNull();
      expect(resellerScopeForList(agent(), 'globex')).toBe('globex');
    });
  });

  describe('seeing a ticket', () => {
    it('shows a ticket to its reseller’s users and to agents only', () => {
      expect(canSee(actor(), { resellerId: 'acme' })).toBe(true);
      expect(canSee(actor(), { resellerId: 'globex' })).toBe(false);
      expect(canSee(actor({ resellerId: null }), { resellerId: 'acme' })).toBe(false);
      expect(canSee(agent(), { resellerId: 'globex' })).toBe(true);
    });

    it('answers another reseller’s ticket and a missing one alike with 404 ticket_not_found', () => {
      const missing = refusal(() => requireVisible(actor(), null));
      const foreign = refusal(() => requireVisible(actor(), { resellerId: 'globex' }));
      expect(missing).toMatchObject({ statusCode: 404, code: ErrorCodes.TicketNotFound });
      expect(foreign.toBody()).toEqual(missing.toBody());
    });

    it('returns the ticket the caller may see', () => {
      const ticket = { resellerId: 'acme', id: 't' };
      expect(requireVisible(actor(), ticket)).toBe(ticket);
    });
  });

  describe('deciding and closing', () => {
    it('lets only agents decide', () => {
      expect(() => requireAgent(agent(), 'approve')).not.toThrow();
      for (const role of ['reseller_user', 'reseller_admin'] as const) {
        const error = refusal(() => requireAgent(actor({ role }), 'approve'));
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ statusCode: 403, code: ErrorCodes.Forbidden });
        expect(error.message).toContain('approve');
      }
    });

    it('lets only the opener close a ticket, agents included', () => {
      expect(() => requireOpener(actor(), { openedBy: 'alice' })).not.toThrow();
      expect(refusal(() => requireOpener(actor({ username: 'bob' }), { openedBy: 'alice' })).statusCode).toBe(403);
      expect(refusal(() => requireOpener(agent(), { openedBy: 'alice' })).statusCode).toBe(403);
    });
  });

  describe('requireMayAskFor', () => {
    const admin = actor({ username: 'ada', role: 'reseller_admin' });

    it('lets anyone of the reseller ask for 2FA on, or for general help', () => {
      expect(() => requireMayAskFor(actor(), 'enable_2fa', null)).not.toThrow();
      expect(() => requireMayAskFor(actor(), 'general', null)).not.toThrow();
    });

    it('keeps turning 2FA off (and requiring it) to reseller admins and agents', () => {
      for (const type of ['disable_2fa', 'require_2fa'] as const) {
        expect(refusal(() => requireMayAskFor(actor(), type as never, null))).toMatchObject({
          statusCode: 403,
          code: ErrorCodes.Forbidden,
        });
        expect(() => requireMayAskFor(admin, type as never, null)).not.toThrow();
        expect(() => requireMayAskFor(agent(), type as never, null)).not.toThrow();
      }
    });

    it('lets a user ask for a reset of their own account only, whatever the case of the name', () => {
      expect(() => requireMayAskFor(actor(), 'reset_user_2fa', 'Alice')).not.toThrow();
      expect(refusal(() => requireMayAskFor(actor(), 'reset_user_2fa', 'ada'))).toMatchObject({ statusCode: 403 });
      expect(refusal(() => requireMayAskFor(actor(), 'reset_user_2fa', null))).toMatchObject({ statusCode: 403 });
    });

    it('lets a reseller admin ask for a reset of another user', () => {
      expect(() => requireMayAskFor(admin, 'reset_user_2fa', 'alice')).not.toThrow();
    });
  });

  describe('requireNotOpener', () => {
    it('refuses the agent who opened the ticket with own_ticket', () => {
      expect(refusal(() => requireNotOpener(agent(), { openedBy: 'agent-smith' }))).toMatchObject({
        statusCode: 403,
        code: ErrorCodes.OwnTicket,
      });
    });

    it('lets another agent decide', () => {
      expect(() => requireNotOpener(agent(), { openedBy: 'agent-jones' })).not.toThrow();
    });
  });

  describe('comments', () => {
    it('lets reseller users read only what is not internal, agents everything', () => {
      expect(audienceOf(actor())).toBe('reseller');
      expect(audienceOf(actor({ role: 'reseller_admin' }))).toBe('reseller');
      expect(audienceOf(agent())).toBe('agent');
    });

    it("refuses a reseller user's internal note with 403, and a reply to a ticket that is not open with 409", () => {
      expect(refusal(() => requireMayComment(actor(), { status: 'open' }, true))).toMatchObject({
        statusCode: 403,
        code: ErrorCodes.Forbidden,
      });
      for (const status of ['approved', 'resolved', 'rejected', 'closed'] as const) {
        expect(refusal(() => requireMayComment(actor(), { status }, false))).toMatchObject({
          statusCode: 409,
          code: ErrorCodes.TicketNotOpen,
        });
      }
      expect(() => requireMayComment(actor(), { status: 'open' }, false)).not.toThrow();
    });

    it('lets agents write notes and replies whatever the status', () => {
      expect(() => requireMayComment(agent(), { status: 'resolved' }, true)).not.toThrow();
      expect(() => requireMayComment(agent(), { status: 'closed' }, false)).not.toThrow();
    });
  });
});
