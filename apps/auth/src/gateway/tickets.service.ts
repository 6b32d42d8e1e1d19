import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCodes,
  TicketRpc,
  type Actor,
  type TicketComment,
  type TicketPage,
  type TicketView,
} from '@pbx2fa/contracts';
import type { RpcClient } from '@pbx2fa/messaging';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { UserRepository } from '../users/user.repository';
import type { ApproveDto, CommentDto, CreateTicketDto, ListTicketsQueryDto, RejectDto } from './dto/ticket.dto';
import { TICKETS_CLIENT } from './service-clients';

/**
 * Forwards ticket calls to the ticket service with the caller attached; the ticket service
 * applies who-may-see-what. The gateway adds what only it knows: users and resellers exist.
 */
@Injectable()
export class TicketsGatewayService {
  constructor(
    @Inject(TICKETS_CLIENT) private readonly tickets: RpcClient,
    private readonly directory: ResellerDirectory,
    private readonly users: UserRepository,
  ) {}

  async create(actor: Actor, body: CreateTicketDto, correlationId: string): Promise<TicketView> {
    const resellerId = actor.role === 'agent' ? body.resellerId : actor.resellerId;
    if (actor.role === 'agent' && resellerId) await this.directory.requireExisting(resellerId, correlationId);
    if (
      body.type === 'reset_user_2fa' &&
      body.targetUsername &&
      resellerId &&
      (!body.resellerId || body.resellerId === resellerId)
    ) {
      const target = await this.users.findInReseller(body.targetUsername, resellerId);
      if (!target) {
        throw new DomainError(
          404,
          ErrorCodes.UserNotFound,
          `There is no user "${body.targetUsername}" in reseller "${resellerId}".`,
        );
      }
    }
    return this.tickets.call<TicketView>(TicketRpc.Create, body, { correlationId, actor });
  }

  list(actor: Actor, query: ListTicketsQueryDto, correlationId: string): Promise<TicketPage> {
    return this.tickets.call<TicketPage>(TicketRpc.List, query, { correlationId, actor });
  }

  get(actor: Actor, id: string, correlationId: string): Promise<TicketView> {
    return this.tickets.call<TicketView>(TicketRpc.Get, { id }, { correlationId, actor });
  }

  comment(actor: Actor, ticketId: string, body: CommentDto, correlationId: string): Promise<TicketComment> {
    return this.tickets.call<TicketComment>(TicketRpc.Comment, { ticketId, body: body.body }, { correlationId, actor });
  }

  approve(actor: Actor, ticketId: string, body: ApproveDto, correlationId: string): Promise<TicketView> {
    return this.tickets.call<TicketView>(TicketRpc.Approve, { ticketId, note: body.note }, { correlationId, actor });
  }

  reject(actor: Actor, ticketId: string, body: RejectDto, correlationId: string): Promise<TicketView> {
    return this.tickets.call<TicketView>(TicketRpc.Reject, { ticketId, reason: body.reason }, { correlationId, actor });
  }

  close(actor: Actor, ticketId: string, correlationId: string): Promise<TicketView> {
    return this.tickets.call<TicketView>(TicketRpc.Close, { ticketId }, { correlationId, actor });
  }
}
