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
import { Clock } from '../common/clock';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { ResellerPolicyRepository } from '../reseller-policy/reseller-policy.repository';
import { UserRepository } from '../users/user.repository';
import type { ApproveDto, CommentDto, CreateTicketDto, ListTicketsQueryDto, RejectDto } from './dto/ticket.dto';
import { TICKETS_CLIENT } from './service-clients';
import { ticketEffect } from './ticket-effect';

/**
 * Forwards ticket calls to the ticket service with the caller attached; the ticket service
 * applies who-may-see-what. The gateway adds what only it knows: users and resellers exist, and
 * what approving a 2FA ticket would change (`effect`, from its copy of each reseller's policy).
 */
@Injectable()
export class TicketsGatewayService {
  constructor(
    @Inject(TICKETS_CLIENT) private readonly tickets: RpcClient,
    private readonly directory: ResellerDirectory,
    private readonly users: UserRepository,
    private readonly policies: ResellerPolicyRepository,
    private readonly clock: Clock,
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
    return this.withEffect(await this.tickets.call<TicketView>(TicketRpc.Create, body, { correlationId, actor }));
  }

  async list(actor: Actor, query: ListTicketsQueryDto, correlationId: string): Promise<TicketPage> {
    const page = await this.tickets.call<TicketPage>(TicketRpc.List, query, { correlationId, actor });
    return { ...page, items: await this.withEffects(page.items) };
  }

  async get(actor: Actor, id: string, correlationId: string): Promise<TicketView> {
    return this.withEffect(await this.tickets.call<TicketView>(TicketRpc.Get, { id }, { correlationId, actor }));
  }

  comment(actor: Actor, ticketId: string, body: CommentDto, correlationId: string): Promise<TicketComment> {
    return this.tickets.call<TicketComment>(TicketRpc.Comment, { ticketId, body: body.body }, { correlationId, actor });
  }

  async approve(actor: Actor, ticketId: string, body: ApproveDto, correlationId: string): Promise<TicketView> {
    const ticket = { ticketId, note: body.note };
    return this.withEffect(await this.tickets.call<TicketView>(TicketRpc.Approve, ticket, { correlationId, actor }));
  }

  async reject(actor: Actor, ticketId: string, body: RejectDto, correlationId: string): Promise<TicketView> {
    const ticket = { ticketId, reason: body.reason };
    return this.withEffect(await this.tickets.call<TicketView>(TicketRpc.Reject, ticket, { correlationId, actor }));
  }

  async close(actor: Actor, ticketId: string, correlationId: string): Promise<TicketView> {
    return this.withEffect(
      await this.tickets.call<TicketView>(TicketRpc.Close, { ticketId }, { correlationId, actor }),
    );
  }

  private async withEffect(ticket: TicketView): Promise<TicketView> {
    const [withEffect] = await this.withEffects([ticket]);
    return withEffect;
  }

  /** One read of the policy copies for a whole page. */
  private async withEffects(tickets: TicketView[]): Promise<TicketView[]> {
    const policies = await this.policies.findMany(tickets.map((ticket) => ticket.resellerId));
    const now = this.clock.now();
    return tickets.map((ticket) => ({
      ...ticket,
      effect: ticketEffect(ticket, policies.get(ticket.resellerId)?.twoFactorMode ?? 'off', now),
    }));
  }
}
