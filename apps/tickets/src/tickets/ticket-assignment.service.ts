import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCodes, type Actor, type TicketView } from '@pbx2fa/contracts';
import { requireActor, requireAgent, requireVisible } from './ticket-access.policy';
import { TicketActivityRepository } from './ticket-activity.repository';
import { parseAssignee, parseTicketRequest } from './ticket-input';
import { TicketRepository } from './ticket.repository';
import { TicketsService } from './tickets.service';

/**
 * Who works on an open ticket. The gateway has checked that the assignee is an agent (users are
 * its to know); here the ticket is locked, so two assignments land one after the other, each in
 * the history.
 */
@Injectable()
export class TicketAssignmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketRepository,
    private readonly activity: TicketActivityRepository,
    private readonly reader: TicketsService,
  ) {}

  async assign(caller: Actor | undefined, body: unknown): Promise<TicketView> {
    const actor = requireActor(caller);
    requireAgent(actor, 'assign');
    const request = parseTicketRequest(body);
    const assignee = parseAssignee(request.assignee);
    return this.dataSource.transaction(async (manager) => {
      const ticket = requireVisible(actor, await this.tickets.findForUpdate(manager, request.ticketId));
      if (ticket.status !== 'open') {
        throw new DomainError(
          409,
          ErrorCodes.InvalidTransition,
          `This ticket is ${ticket.status}; only an open ticket can be assigned.`,
        );
      }
      if (ticket.assignee === assignee) return this.reader.view(ticket, actor, manager);
      const assigned = await this.tickets.setAssignee(manager, ticket.id, assignee);
      await this.activity.addHistory(manager, ticket.id, {
        actor: actor.username,
        action: assignee ? 'assigned' : 'unassigned',
        fromStatus: ticket.status,
        toStatus: ticket.status,
        note: assignee ? `Assigned to ${assignee}.` : `No longer assigned to ${ticket.assignee}.`,
      });
      return this.reader.view(assigned, actor, manager);
    });
  }
}
