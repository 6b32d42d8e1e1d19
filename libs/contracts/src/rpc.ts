import type { ErrorBody } from './errors';

/** Request/response patterns the gateway calls; each service serves its own queue (rpcQueueName). */
export const TicketRpc = {
  Create: 'tickets.create',
  List: 'tickets.list',
  Get: 'tickets.get',
  Comment: 'tickets.comment',
  Assign: 'tickets.assign',
  Approve: 'tickets.approve',
  Reject: 'tickets.reject',
  Close: 'tickets.close',
} as const;

export const ResellerRpc = {
  Create: 'resellers.create',
  Get: 'resellers.get',
} as const;

/** Who is asking, as the gateway authenticated them; services apply their rules to it. */
export interface Actor {
  userId: string;
  username: string;
  role: Role;
  resellerId: string | null;
}

export const Roles = ['reseller_user', 'reseller_admin', 'agent'] as const;
export type Role = (typeof Roles)[number];

/** Every RPC answer: services never throw across the wire, they answer with the contract's error. */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

export interface RpcRequest<T> {
  correlationId: string;
  actor?: Actor;
  body: T;
}
