import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, TicketComment as CommentView, TicketPage, TicketView } from '@pbx2fa/contracts';
import {
  requireActor,
  requireMayAskFor,
  requireVisible,
  resellerForNewTicket,
  resellerScopeForList,
} from './ticket-access.policy';
import { TicketActivityRepository } from './ticket-activity.repository';
import { encodeCursor } from './ticket-cursor';
import { parseCommentBody, parseListQuery, parseNewTicket, parseTicketId, parseTicketRequest } from './ticket-input';
import { toCommentView, toTicketView } from './ticket-view';
import type { Ticket } from './ticket.entity';
import { TicketRepository } from './ticket.repository';

/** Opening, reading and commenting on tickets. Decisions live in TicketDecisionsService. */
@Injectable()
export class TicketsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketRepository,
    private readonly activity: TicketActivityRepository,
  ) {}

  async create(caller: Actor | undefined, body: unknown): Promise<TicketView> {
    const actor = requireActor(caller);
    const input = parseNewTicket(body);
    const resellerId = resellerForNewTicket(actor, input.resellerId);
    requireMayAskFor(actor, input.type, input.targetUsername);
    return this.dataSource.transaction(async (manager) => {
      const ticket = await this.tickets.insert(manager, {
        resellerId,
        type: input.type,
        subject: input.subject,
        description: input.description,
        openedBy: actor.username,
        targetUsername: input.targetUsername,
        graceDays: input.graceDays,
      });
      await this.activity.addHistory(manager, ticket.id, {
        actor: actor.username,
        action: 'opened',
        fromStatus: null,
        toStatus: 'open',
        note: null,
      });
      return this.view(ticket, manager);
    });
  }

  async list(caller: Actor | undefined, query: unknown): Promise<TicketPage> {
    const actor = requireActor(caller);
    const input = parseListQuery(query);
    const resellerId = resellerScopeForList(actor, input.resellerId);
    // One row more than asked tells whether there is a next page.
    const rows = await this.tickets.list({
      resellerId,
      status: input.status,
      type: input.type,
      after: input.cursor,
      limit: input.limit + 1,
    });
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    return {
      items: await this.views(page),
      nextCursor: rows.length > input.limit ? encodeCursor({ createdAt: last.cursorAt, id: last.id }) : null,
    };
  }

  async get(caller: Actor | undefined, body: unknown): Promise<TicketView> {
    const actor = requireActor(caller);
    const id = parseTicketId((body as { id?: unknown } | null)?.id);
    return this.view(requireVisible(actor, await this.tickets.findById(id)));
  }

  async comment(caller: Actor | undefined, body: unknown): Promise<CommentView> {
    const actor = requireActor(caller);
    const request = parseTicketRequest(body);
    const text = parseCommentBody(request.body);
    return this.dataSource.transaction(async (manager) => {
      const ticket = requireVisible(actor, await this.tickets.findForUpdate(manager, request.ticketId));
      const comment = await this.activity.addComment(manager, ticket.id, actor.username, text);
      await this.activity.addHistory(manager, ticket.id, {
        actor: actor.username,
        action: 'commented',
        fromStatus: ticket.status,
        toStatus: ticket.status,
        note: null,
      });
      await this.tickets.touch(manager, ticket.id);
      return toCommentView(comment);
    });
  }

  async view(ticket: Ticket, manager?: EntityManager): Promise<TicketView> {
    const [view] = await this.views([ticket], manager);
    return view;
  }

  /** Full views of several tickets with one query for all comments and one for all history. */
  async views(tickets: Ticket[], manager?: EntityManager): Promise<TicketView[]> {
    const ids = tickets.map((ticket) => ticket.id);
    const comments = byTicket(await this.activity.commentsOf(ids, manager));
    const history = byTicket(await this.activity.historyOf(ids, manager));
    return tickets.map((ticket) => toTicketView(ticket, comments.get(ticket.id) ?? [], history.get(ticket.id) ?? []));
  }
}

function byTicket<T extends { ticketId: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.ticketId);
    if (group) group.push(row);
    else groups.set(row.ticketId, [row]);
  }
  return groups;
}
