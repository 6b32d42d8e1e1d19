import type { ErrorBody } from './errors';
import type { CreateResellerBody, ResellerView } from './resellers';
import type {
  AssignBody,
  CommentBody,
  CreateTicketBody,
  ListTicketsRequest,
  TicketComment,
  TicketIdBody,
  TicketPage,
  TicketView,
} from './tickets';

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

/**
 * What each request carries and what it is answered with: `RpcClient.call` and the services'
 * handlers (`OnRpc`) are both checked against this, as events are against their payload types.
 */
export interface RpcMethods {
  [TicketRpc.Create]: { request: CreateTicketBody; answer: TicketView };
  [TicketRpc.List]: { request: ListTicketsRequest; answer: TicketPage };
  [TicketRpc.Get]: { request: { id: string }; answer: TicketView };
  [TicketRpc.Comment]: { request: TicketIdBody & CommentBody; answer: TicketComment };
  [TicketRpc.Assign]: { request: TicketIdBody & AssignBody; answer: TicketView };
  [TicketRpc.Approve]: { request: TicketIdBody & { note?: string }; answer: TicketView };
  [TicketRpc.Reject]: { request: TicketIdBody & { reason: string }; answer: TicketView };
  [TicketRpc.Close]: { request: TicketIdBody; answer: TicketView };
  [ResellerRpc.Create]: { request: CreateResellerBody; answer: ResellerView };
  [ResellerRpc.Get]: { request: { id: string }; answer: ResellerView };
}
export type RpcPattern = keyof RpcMethods;
export type TicketRpcPattern = (typeof TicketRpc)[keyof typeof TicketRpc];
export type ResellerRpcPattern = (typeof ResellerRpc)[keyof typeof ResellerRpc];

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

/** The request a handler of `P` receives, and what it must answer. */
export type RpcRequestOf<P extends RpcPattern> = RpcRequest<RpcMethods[P]['request']>;
export type RpcAnswerOf<P extends RpcPattern> = RpcMethods[P]['answer'];
