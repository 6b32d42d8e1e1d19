import type { TwoFactorMode } from './resellers';

export const TicketTypes = ['enable_2fa', 'require_2fa', 'disable_2fa', 'reset_user_2fa', 'general'] as const;
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
  /** Only for `require_2fa`: the days users get to enroll once it is approved. */
  graceDays: number | null;
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
  limit?: number;
  cursor?: string;
}

export interface TicketIdBody {
  ticketId: string;
}
