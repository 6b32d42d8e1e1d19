import type { TicketComment as CommentView, TicketHistoryEntry as HistoryView, TicketView } from '@pbx2fa/contracts';
import type { TicketComment } from './ticket-comment.entity';
import type { TicketHistoryEntry } from './ticket-history-entry.entity';
import type { Ticket } from './ticket.entity';

/** Who reads a ticket: agents see everything; a reseller's users never see agents' internal notes. */
export type Audience = 'agent' | 'reseller';

/** The history entry an internal note leaves (a reply to the reseller leaves `commented`). */
export const INTERNAL_NOTE_ACTION = 'noted';

const iso = (value: Date | string) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

export function toCommentView(comment: TicketComment): CommentView {
  return {
    id: comment.id,
    author: comment.author,
    body: comment.body,
    internal: comment.internal,
    createdAt: iso(comment.createdAt),
  };
}

export function toHistoryView(entry: TicketHistoryEntry): HistoryView {
  return {
    id: entry.id,
    actor: entry.actor,
    action: entry.action,
    fromStatus: entry.fromStatus,
    toStatus: entry.toStatus,
    note: entry.note,
    at: iso(entry.at),
  };
}

export function toTicketView(
  ticket: Ticket,
  comments: TicketComment[],
  history: TicketHistoryEntry[],
  audience: Audience,
): TicketView {
  const forReseller = audience === 'reseller';
  return {
    id: ticket.id,
    resellerId: ticket.resellerId,
    type: ticket.type,
    subject: ticket.subject,
    description: ticket.description,
    status: ticket.status,
    openedBy: ticket.openedBy,
    targetUsername: ticket.targetUsername,
    graceDays: ticket.graceDays,
    assignee: ticket.assignee,
    createdAt: iso(ticket.createdAt),
    updatedAt: iso(ticket.updatedAt),
    decidedBy: ticket.decidedBy,
    decidedAt: isoOrNull(ticket.decidedAt),
    resolution: ticket.resolution,
    comments: (forReseller ? comments.filter((comment) => !comment.internal) : comments).map(toCommentView),
    history: (forReseller ? history.filter((entry) => entry.action !== INTERNAL_NOTE_ACTION) : history).map(
      toHistoryView,
    ),
  };
}
