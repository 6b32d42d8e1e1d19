import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCodes,
  searchWords,
  TicketRpc,
  type Actor,
  type ListTicketsRequest,
  type RpcMethods,
  type TicketComment,
  type TicketPage,
  type TicketRpcPattern,
  type TicketView,
  type TicketWithReseller,
} from '@pbx2fa/contracts';
import { Clock } from '../common/clock';
import { ResellerDirectory } from '../reseller-policy/reseller-directory';
import { ResellerPolicyRepository } from '../reseller-policy/reseller-policy.repository';
import { UserRepository } from '../users/user.repository';
import type {
  ApproveDto,
  AssignDto,
  CommentDto,
  CreateTicketDto,
  ListTicketsQueryDto,
  RejectDto,
} from './dto/ticket.dto';
import { TICKETS_CLIENT, type TicketsClient } from '../common/service-clients';
import { ticketEffect } from './ticket-effect';

/** The ticket requests answered with one ticket. */
type TicketAnswerPattern = Exclude<TicketRpcPattern, typeof TicketRpc.List | typeof TicketRpc.Comment>;

/** Resellers whose name holds one search word that a search looks among. */
const MAX_NAMED_RESELLERS = 200;

/**
 * Forwards ticket calls to the ticket service with the caller attached; the ticket service
 * applies who-may-see-what. The gateway adds what only it knows: users and resellers exist,
 * reseller names (on every ticket it answers, and for searches), who is an agent, and what
 * approving a 2FA ticket would change (`effect`, from its copy of each reseller's policy).
 */
@Injectable()
export class TicketsGatewayService {
  constructor(
    @Inject(TICKETS_CLIENT) private readonly tickets: TicketsClient,
    private readonly directory: ResellerDirectory,
    private readonly policies: ResellerPolicyRepository,
    private readonly users: UserRepository,
    private readonly clock: Clock,
  ) {}

  async create(actor: Actor, body: CreateTicketDto, correlationId: string): Promise<TicketWithReseller> {
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
    return this.ticket(TicketRpc.Create, body, actor, correlationId);
  }

  async list(actor: Actor, query: ListTicketsQueryDto, correlationId: string): Promise<TicketPage> {
    const words = searchWords(query.q);
    const request: ListTicketsRequest = words.length
      ? { ...query, resellersNamed: await this.policies.idsNamedLike(words, MAX_NAMED_RESELLERS) }
      : query;
    const page = await this.tickets.call(TicketRpc.List, request, { correlationId, actor });
    return { ...page, items: await this.withResellerNames(page.items, correlationId) };
  }

  get(actor: Actor, id: string, correlationId: string): Promise<TicketWithReseller> {
    return this.ticket(TicketRpc.Get, { id }, actor, correlationId);
  }

  comment(actor: Actor, ticketId: string, body: CommentDto, correlationId: string): Promise<TicketComment> {
    return this.tickets.call(
      TicketRpc.Comment,
      { ticketId, body: body.body, internal: body.internal },
      { correlationId, actor },
    );
  }

  /** Tickets go to agents only: a username of anyone else is refused before the ticket service is asked. */
  async assign(actor: Actor, ticketId: string, body: AssignDto, correlationId: string): Promise<TicketWithReseller> {
    let assignee = body.assignee;
    if (assignee !== null && actor.role === 'agent') {
      const user = await this.users.findByUsername(assignee);
      if (user?.role !== 'agent') {
        throw new DomainError(
          400,
          ErrorCodes.ValidationFailed,
          `"${assignee}" is not a support agent: tickets can be assigned to agents only.`,
        );
      }
      assignee = user.username;
    }
    return this.ticket(TicketRpc.Assign, { ticketId, assignee }, actor, correlationId);
  }

  approve(actor: Actor, ticketId: string, body: ApproveDto, correlationId: string): Promise<TicketWithReseller> {
    return this.ticket(TicketRpc.Approve, { ticketId, note: body.note }, actor, correlationId);
  }

  reject(actor: Actor, ticketId: string, body: RejectDto, correlationId: string): Promise<TicketWithReseller> {
    return this.ticket(TicketRpc.Reject, { ticketId, reason: body.reason }, actor, correlationId);
  }

  close(actor: Actor, ticketId: string, correlationId: string): Promise<TicketWithReseller> {
    return this.ticket(TicketRpc.Close, { ticketId }, actor, correlationId);
  }

  /** Asks the ticket service for one ticket and names its reseller. */
  private async ticket<P extends TicketAnswerPattern>(
    pattern: P,
    body: RpcMethods[P]['request'],
    actor: Actor,
    correlationId: string,
  ): Promise<TicketWithReseller> {
    const ticket: TicketView = await this.tickets.call(pattern, body, { correlationId, actor });
    const [named] = await this.withResellerNames([ticket], correlationId);
    return named;
  }

  /** The reseller's name and the ticket's effect, with one read of each for a whole page. */
  private async withResellerNames(tickets: TicketView[], correlationId: string): Promise<TicketWithReseller[]> {
    const resellerIds = tickets.map((ticket) => ticket.resellerId);
    const [names, policies] = await Promise.all([
      this.directory.namesOf(resellerIds, correlationId),
      this.policies.findMany(resellerIds),
    ]);
    const now = this.clock.now();
    // The name right after the id, as people read it.
    return tickets.map((ticket) => {
      const { id, resellerId, ...rest } = ticket;
      return {
        id,
        resellerId,
        resellerName: names.get(resellerId) ?? null,
        ...rest,
        effect: ticketEffect(ticket, policies.get(resellerId)?.twoFactorMode ?? 'off', now),
      };
    });
  }
}
