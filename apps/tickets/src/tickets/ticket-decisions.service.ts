import { ApprovalSequenceRepository } from './approval-sequence.repository';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  Events,
  modeOf,
  type Actor,
  type ResellerTwoFactorChangedPayload,
  type TicketStatus,
  type TicketType,
  type TicketView,
  type UserTwoFactorResetPayload,
} from '@pbx2fa/contracts';
import { OutboxRelay, OutboxWriter } from '@pbx2fa/messaging';
import { requireActor, requireAgent, requireNotOpener, requireOpener, requireVisible } from './ticket-access.policy';
import { TicketActivityRepository } from './ticket-activity.repository';
import { parseNote, parseReason, parseTicketRequest } from './ticket-input';
import { assertTransition, canTransition } from './ticket-transitions';
import type { Ticket } from './ticket.entity';
import { TicketRepository } from './ticket.repository';
import { TicketsService } from './tickets.service';

const SYSTEM = 'system';

/** The tickets that change a reseller's 2FA mode, and what each asks reseller-settings to do. */
const TWO_FACTOR_ACTIONS = { enable_2fa: 'enable', require_2fa: 'require', disable_2fa: 'disable' } as const;
const TWO_FACTOR_TICKETS = Object.keys(TWO_FACTOR_ACTIONS) as TicketType[];

/** What the reseller's 2FA is once the change took effect (events from before modes name only on or off). */
function resolutionOf(change: ResellerTwoFactorChangedPayload): string {
  const reseller = `reseller ${change.resellerId}`;
  switch (modeOf(change)) {
    case 'off':
      return `Two-factor authentication is now off for ${reseller}.`;
    case 'optional':
      return `Two-factor authentication is now on for ${reseller}: users may set it up, and whoever did is asked for it.`;
    case 'required':
      return `Two-factor authentication is now required for ${reseller}: users without it must set it up when they sign in${
        change.enrollBy ? ` from ${change.enrollBy}` : ''
      }.`;
  }
}

interface Move {
  to: TicketStatus;
  actor: string;
  action: string;
  note: string | null;
  decidedBy?: string;
  resolution?: string;
}

/**
 * Everything that changes a ticket's status: agents' decisions, the opener withdrawing it, and
 * the events that say an approved change has taken effect. Each runs with the row locked, so
 * two decisions on one ticket cannot both succeed.
 */
@Injectable()
export class TicketDecisionsService {
  private readonly logger = new Logger(TicketDecisionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketRepository,
    private readonly activity: TicketActivityRepository,
    private readonly reader: TicketsService,
    private readonly outbox: OutboxWriter,
    private readonly relay: OutboxRelay,
    private readonly approvalSequences: ApprovalSequenceRepository,
  ) {}

  /** The announcement of the approved change is written in the same transaction as the approval. */
  async approve(caller: Actor | undefined, body: unknown, correlationId: string): Promise<TicketView> {
    const actor = requireActor(caller);
    requireAgent(actor, 'approve');
    const request = parseTicketRequest(body);
    const note = parseNote(request.note);
    const { view, announced } = await this.dataSource.transaction(async (manager) => {
      const ticket = requireVisible(actor, await this.tickets.findForUpdate(manager, request.ticketId));
      requireNotOpener(actor, ticket);
      let current = await this.move(manager, ticket, {
        to: 'approved',
        actor: actor.username,
        action: 'approved',
        note,
        decidedBy: actor.username,
      });
      const announced = await this.announce(manager, current, actor.username, correlationId);
      if (!announced) {
        // Nothing elsewhere has to happen for a general request: approving it settles it.
        const resolution = note ?? `Handled by ${actor.username}.`;
        current = await this.move(manager, current, {
          to: 'resolved',
          actor: actor.username,
          action: 'resolved',
          note: resolution,
          resolution,
        });
      }
      return { view: await this.reader.view(current, actor, manager), announced };
    });
    if (announced) this.relay.kick();
    return view;
  }

  async reject(caller: Actor | undefined, body: unknown): Promise<TicketView> {
    const actor = requireActor(caller);
    requireAgent(actor, 'reject');
    const request = parseTicketRequest(body);
    const reason = parseReason(request.reason);
    return this.dataSource.transaction(async (manager) => {
      const ticket = requireVisible(actor, await this.tickets.findForUpdate(manager, request.ticketId));
      const rejected = await this.move(manager, ticket, {
        to: 'rejected',
        actor: actor.username,
        action: 'rejected',
        note: reason,
        decidedBy: actor.username,
        resolution: reason,
      });
      return this.reader.view(rejected, actor, manager);
    });
  }

  /** Withdrawn by whoever opened it, while nobody has decided on it yet. */
  async close(caller: Actor | undefined, body: unknown): Promise<TicketView> {
    const actor = requireActor(caller);
    const request = parseTicketRequest(body);
    return this.dataSource.transaction(async (manager) => {
      const ticket = requireVisible(actor, await this.tickets.findForUpdate(manager, request.ticketId));
      requireOpener(actor, ticket);
      const closed = await this.move(manager, ticket, {
        to: 'closed',
        actor: actor.username,
        action: 'closed',
        note: null,
        resolution: `Withdrawn by ${actor.username}.`,
      });
      return this.reader.view(closed, actor, manager);
    });
  }

  resolveResellerChange(manager: EntityManager, change: ResellerTwoFactorChangedPayload): Promise<void> {
    if (!change.sourceTicketId) {
      this.logger.log(
        `2FA change of reseller ${change.resellerId} (version ${change.version}) came from no ticket; nothing to resolve`,
      );
      return Promise.resolve();
    }
    return this.resolveBySystem(manager, change.sourceTicketId, change.resellerId, TWO_FACTOR_TICKETS, {
      resolution: resolutionOf(change),
    });
  }

  resolveUserReset(manager: EntityManager, reset: UserTwoFactorResetPayload): Promise<void> {
    return this.resolveBySystem(manager, reset.ticketId, reset.resellerId, ['reset_user_2fa'], {
      resolution: `Two-factor authentication was reset for user ${reset.username}.`,
    });
  }

  /** Another service reports the change took effect. Repeats and strays change nothing. */
  private async resolveBySystem(
    manager: EntityManager,
    ticketId: string,
    resellerId: string,
    types: TicketType[],
    { resolution }: { resolution: string },
  ): Promise<void> {
    const ticket = await this.tickets.findForUpdate(manager, ticketId);
    if (!ticket || ticket.resellerId !== resellerId || !types.includes(ticket.type)) {
      this.logger.warn(`no ${types.join('/')} ticket ${ticketId} of reseller ${resellerId}; nothing to resolve`);
      return;
    }
    if (!canTransition(ticket.status, 'resolved')) {
      this.logger.log(`ticket ${ticketId} is ${ticket.status}, not approved; left as it is`);
      return;
    }
    await this.move(manager, ticket, {
      to: 'resolved',
      actor: SYSTEM,
      action: 'resolved',
      note: resolution,
      resolution,
    });
  }

  private async announce(
    manager: EntityManager,
    ticket: Ticket,
    approvedBy: string,
    correlationId: string,
  ): Promise<boolean> {
    const base = { ticketId: ticket.id, resellerId: ticket.resellerId, approvedBy };
    switch (ticket.type) {
      case 'enable_2fa':
      case 'require_2fa':
      case 'disable_2fa':
        await this.outbox.add(
          manager,
          Events.TicketTwoFactorApproved,
          {
            ...base,
            action: TWO_FACTOR_ACTIONS[ticket.type],
            ...(ticket.type === 'require_2fa' ? { graceDays: ticket.graceDays ?? 0 } : {}),
            approvedAt: new Date().toISOString(),
            sequence: await this.approvalSequences.next(manager, ticket.resellerId),
          },
          correlationId,
        );
        return true;
      case 'reset_user_2fa':
        await this.outbox.add(
          manager,
          Events.TicketUserTwoFactorResetApproved,
          { ...base, targetUsername: ticket.targetUsername as string },
          correlationId,
        );
        return true;
      case 'general':
        return false;
    }
  }

  private async move(manager: EntityManager, ticket: Ticket, move: Move): Promise<Ticket> {
    assertTransition(ticket.status, move.to);
    const moved = await this.tickets.setStatus(manager, ticket.id, move.to, {
      decidedBy: move.decidedBy,
      resolution: move.resolution,
    });
    await this.activity.addHistory(manager, ticket.id, {
      actor: move.actor,
      action: move.action,
      fromStatus: ticket.status,
      toStatus: move.to,
      note: move.note,
    });
    return moved;
  }
}
