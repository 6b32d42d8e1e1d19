import type { TwoFactorMode } from './resellers';

export const TicketTypes = ['enable_2fa', 'require_2fa', 'disable_2fa', 'reset_user_2fa', 'general'] as const;
export type TicketType = (typeof TicketTypes)[number];

export const TicketStatuses = ['open', 'approved', 'resolved', 'rejected', 'closed'] as const;
export type TicketStatus = (typeof TicketStatuses)[number];

export const TicketSorts = ['oldest', 'newest'] as const;
export type TicketSort = (typeof TicketSorts)[number];

/** `q` is cut into at most this many words; a ticket matches when it holds every one of them. */
export const MAX_SEARCH_WORDS = 8;

/** Tickets a page when the caller does not say (at most PAGE_SIZE_MAX). */
export const TICKET_PAGE_SIZE_DEFAULT = 20;

/** The words of a search, as both the gateway (reseller names) and the ticket service read them. */
export function searchWords(q: string | undefined): string[] {
  const words = (q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return [...new Set(words)].slice(0, MAX_SEARCH_WORDS);
}

export interface TicketComment {
  id: string;
  author: string;
  body: string;
  /** An agents' note: never shown to reseller users. */
  internal: boolean;
  createdAt: string;
}

export interface TicketHistoryEntry {
  id: string;
  actor: string;
  action: string;
  fromStatus: TicketStatus | null;
  toStatus: TicketStatus;
  note: string | null;
  at: string;
}

export interface TicketView {
  id: string;
  resellerId: string;
  type: TicketType;
  subject: string;
  description: string;
  status: TicketStatus;
  openedBy: string;
  targetUsername: string | null;
  /** Only for `require_2fa`: the days users get to enroll once it is approved. */
  graceDays: number | null;
  /** The agent working on it. */
  assignee: string | null;
  createdAt: string;
  updatedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  resolution: string | null;
  /** Added by the gateway: what approving it would change now (open 2FA tickets), else null. */
  effect?: TicketEffect | null;
  comments: TicketComment[];
  history: TicketHistoryEntry[];
}

/** What approving a 2FA ticket would change, from the gateway's copy of the reseller's policy. */
export interface TicketEffect {
  currentMode: TwoFactorMode;
  requestedMode: TwoFactorMode;
  /** `require_2fa`: when users would have to enroll by if it were approved now. */
  enrollBy: string | null;
  /** False when the reseller already is in the requested mode (approving changes nothing then). */
  changes: boolean;
}

/** What the gateway answers: the ticket with the name of its reseller (null when not known yet). */
export interface TicketWithReseller extends TicketView {
  resellerName: string | null;
}

export interface TicketPage {
  items: TicketView[];
  nextCursor: string | null;
}

export interface CreateTicketBody {
  type: TicketType;
  subject?: string;
  description?: string;
  targetUsername?: string;
  graceDays?: number;
  resellerId?: string;
}

export interface ListTicketsQuery {
  status?: TicketStatus;
  type?: TicketType;
  resellerId?: string;
  /** A username, or `me`. */
  assignee?: string;
  q?: string;
  sort?: TicketSort;
  limit?: number;
  cursor?: string;
}

/**
 * The list request the gateway forwards: the query, plus for each word of `q` (in the order of
 * `searchWords`) the resellers whose name holds it — names are the gateway's to know.
 */
export interface ListTicketsRequest extends ListTicketsQuery {
  resellersNamed?: string[][];
}

export interface CommentBody {
  body: string;
  internal?: boolean;
}

export interface AssignBody {
  /** An agent's username, or null to leave the ticket unassigned. */
  assignee: string | null;
}

export interface TicketIdBody {
  ticketId: string;
}
