import { DomainError, ErrorCodes, type Actor, type TicketStatus, type TicketType } from '@pbx2fa/contracts';
import type { Audience } from './ticket-view';

/**
 * Who may do what with tickets. The gateway forwards every request as it came, so these rules
 * are the only ones there are. Agents see every reseller; everyone else only their own.
 */

type Owned = { resellerId: string };

function forbidden(message: string): DomainError {
  return new DomainError(403, ErrorCodes.Forbidden, message);
}

export function requireActor(actor: Actor | undefined): Actor {
  if (!actor?.username || !actor.role) throw new DomainError(401, ErrorCodes.Unauthorized, 'Please sign in first.');
  return actor;
}

export function isAgent(actor: Actor): boolean {
  return actor.role === 'agent';
}

export function requireAgent(actor: Actor, verb: string): void {
  if (!isAgent(actor)) throw forbidden(`Only a support agent can ${verb} a ticket.`);
}

function ownReseller(actor: Actor): string {
  if (!actor.resellerId) throw forbidden('Your account does not belong to a reseller, so it has no tickets.');
  return actor.resellerId;
}

/** Whose ticket a new one is: an agent names the reseller, anyone else opens it for their own. */
export function resellerForNewTicket(actor: Actor, requested: string | undefined): string {
  if (isAgent(actor)) {
    if (!requested) {
      throw new DomainError(
        400,
        ErrorCodes.ValidationFailed,
        'Say which reseller the ticket is for: resellerId is required for agents.',
      );
    }
    return requested;
  }
  const own = ownReseller(actor);
  if (requested && requested !== own) throw forbidden('You can only open tickets for your own reseller.');
  return own;
}

/**
 * What someone of a reseller may ask for. Turning 2FA off (or requiring it) changes every user's
 * sign-in, so it is the reseller admin's call; a reset removes someone's authenticator, so it is
 * asked by that user, or by an admin of their reseller (whether the user is theirs is checked
 * where users live, when the reset is carried out). Agents may open any ticket.
 */
/** The requests that change every user's sign-in (require_2fa comes with the policy modes). */
const ADMIN_ONLY: ReadonlySet<string> = new Set(['disable_2fa', 'require_2fa']);

export function requireMayAskFor(actor: Actor, type: TicketType, targetUsername: string | null): void {
  if (isAgent(actor) || actor.role === 'reseller_admin') return;
  if (ADMIN_ONLY.has(type)) {
    throw forbidden(
      'Only an administrator of your reseller can ask for this change to two-factor authentication. Ask your administrator to open the ticket.',
    );
  }
  if (type === 'reset_user_2fa' && targetUsername?.toLowerCase() !== actor.username.toLowerCase()) {
    throw forbidden(
      'You can ask to reset two-factor authentication for your own account only. An administrator of your reseller can ask for other users.',
    );
  }
}

/** Four eyes: an agent does not approve what they asked for themselves. */
export function requireNotOpener(actor: Actor, ticket: { openedBy: string }): void {
  if (actor.username === ticket.openedBy) {
    throw new DomainError(
      403,
      ErrorCodes.OwnTicket,
      'You opened this ticket yourself: another agent has to approve it.',
    );
  }
}

/** Which reseller a listing is limited to; null means all of them (agents only). */
export function resellerScopeForList(actor: Actor, requested: string | undefined): string | null {
  if (isAgent(actor)) return requested ?? null;
  const own = ownReseller(actor);
  if (requested && requested !== own) throw forbidden("You can only see your own reseller's tickets.");
  return own;
}

export function canSee(actor: Actor, ticket: Owned): boolean {
  return isAgent(actor) || (!!actor.resellerId && actor.resellerId === ticket.resellerId);
}

/** Another reseller's ticket answers exactly like a missing one, so ids reveal nothing. */
export function requireVisible<T extends Owned>(actor: Actor, ticket: T | null): T {
  if (!ticket || !canSee(actor, ticket)) {
    throw new DomainError(404, ErrorCodes.TicketNotFound, 'There is no such ticket, or it is not one you can see.');
  }
  return ticket;
}

export function requireOpener(actor: Actor, ticket: { openedBy: string }): void {
  if (actor.username !== ticket.openedBy) throw forbidden('Only the person who opened this ticket can close it.');
}

/** What the caller may read of a ticket: reseller users never get agents' internal notes. */
export function audienceOf(actor: Actor): Audience {
  return isAgent(actor) ? 'agent' : 'reseller';
}

/**
 * Internal notes are for agents. A reseller's users reply while the ticket is open; after it was
 * decided or withdrawn, a new question is a new ticket. Agents may add a word at any time.
 */
export function requireMayComment(actor: Actor, ticket: { status: TicketStatus }, internal: boolean): void {
  if (isAgent(actor)) return;
  if (internal) throw forbidden('Only support agents can write internal notes.');
  if (ticket.status !== 'open') {
    throw new DomainError(
      409,
      ErrorCodes.TicketNotOpen,
      `This ticket is ${ticket.status}, so it takes no more replies. Open a new ticket if you still need help.`,
    );
  }
}
