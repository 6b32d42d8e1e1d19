export const TicketTypes = ['enable_2fa', 'disable_2fa', 'reset_user_2fa', 'general'] as const;
export type TicketType = (typeof TicketTypes)[number];

export const TicketStatuses = ['open', 'approved', 'resolved', 'rejected', 'closed'] as const;
export type TicketStatus = (typeof TicketStatuses)[number];

export interface TicketComment {
  id: string;
  author: string;
  body: string;
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
  createdAt: string;
  updatedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  resolution: string | null;
  comments: TicketComment[];
  history: TicketHistoryEntry[];
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
  resellerId?: string;
}

export interface ListTicketsQuery {
  status?: TicketStatus;
  type?: TicketType;
  resellerId?: string;
  limit?: number;
  cursor?: string;
}

export interface TicketIdBody {
  ticketId: string;
}
