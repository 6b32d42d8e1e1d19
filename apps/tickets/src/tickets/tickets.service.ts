import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, TicketComment as CommentView, TicketPage, TicketView } from '@pbx2fa/contracts';
import {
  audienceOf,
  requireActor,
  requireMayAskFor,
  requireMayComment,
  requireVisible,
  resellerForNewTicket,
  resellerScopeForList,
} from './ticket-access.policy';
import { TicketActivityRepository } from './ticket-activity.repository';
import { encodeCursor } from './ticket-cursor';
import {
  parseCommentBody,
  parseInternal,
  parseListQuery,
  parseNewTicket,
  parseTicketId,
  parseTicketRequest,
} from './ticket-input';
import { INTERNAL_NOTE_ACTION, toCommentView, toTicketView } from './ticket-view';
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
      return this.view(ticket, actor, manager);
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
      assignee: input.assignee === 'me' ? actor.username.toLowerCase() : input.assignee,
      search: input.search,
      sort: input.sort,
      after: input.cursor,
      limit: input.limit + 1,
    });
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    return {
      items: await this.views(page, actor),
      nextCursor:
        rows.length > input.limit ? encodeCursor({ createdAt: last.cursorAt, id: last.id, sort: input.sort }) : null,
    };
  }

  async get(caller: Actor | undefined, body: unknown): Promise<TicketView> {
    const actor = requireActor(caller);
    const id = parseTicketId((body as { id?: unknown } | null)?.id);
    return this.view(requireVisible(actor, await this.tickets.findById(id)), actor);
  }

  async comment(caller: Actor | undefined, body: unknown): Promise<CommentView> {
    const actor = requireActor(caller);
    const request = parseTicketRequest(body);
    const text = parseCommentBody(request.body);
    const internal = parseInternal(request.internal);
    return this.dataSource.transaction(async (manager) => {
      const ticket = requireVisible(actor, await this.tickets.findForUpdate(manager, request.ticketId));
      requireMayComment(actor, ticket, internal);
      const comment = await this.activity.addComment(manager, ticket.id, {
        author: actor.username,
        body: text,
        internal,
      });
      await this.activity.addHistory(manager, ticket.id, {
        actor: actor.username,
        action: internal ? INTERNAL_NOTE_ACTION : 'commented',
        fromStatus: ticket.status,
        toStatus: ticket.status,
        note: null,
      });
      // An internal note leaves updatedAt alone: the reseller must not learn of it even from that.
      if (!internal) await this.tickets.touch(manager, ticket.id);
      return toCommentView(comment);
    });
  }

  /** The ticket as the caller may read it. */
  async view(ticket: Ticket, reader: Actor, manager?: EntityManager): Promise<TicketView> {
    const [view] = await this.views([ticket], reader, manager);
    return view;
  }

  /** Full views of several tickets with one query for all comments and one for all history. */
  async views(tickets: Ticket[], reader: Actor, manager?: EntityManager): Promise<TicketView[]> {
    const ids = tickets.map((ticket) => ticket.id);
    const comments = byTicket(await this.activity.commentsOf(ids, manager));
    const history = byTicket(await this.activity.historyOf(ids, manager));
    const audience = audienceOf(reader);
    return tickets.map((ticket) =>
      toTicketView(ticket, comments.get(ticket.id) ?? [], history.get(ticket.id) ?? [], audience),
    );
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
