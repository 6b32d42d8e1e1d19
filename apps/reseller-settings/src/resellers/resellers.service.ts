import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  DomainError,
  ErrorCodes,
  Events,
  RESELLER_ID_PATTERN,
  RESELLER_ID_RULE,
  TextLimits,
  type CreateResellerBody,
  type ResellerView,
  type TicketTwoFactorApprovedPayload,
} from '@pbx2fa/contracts';
import { OutboxRelay, OutboxWriter } from '@pbx2fa/messaging';
import type { Reseller } from './reseller.entity';
import { ResellerRepository } from './reseller.repository';
import { settingFor } from './two-factor-setting';

export function toResellerView(reseller: Reseller): ResellerView {
  return {
    id: reseller.id,
    name: reseller.name,
    twoFactorEnabled: reseller.twoFactorEnabled,
    twoFactorMode: reseller.twoFactorMode,
    enrollBy: reseller.enrollBy ? new Date(reseller.enrollBy).toISOString() : null,
    rememberDeviceDays: reseller.rememberDeviceDays,
    version: reseller.version,
    updatedAt: new Date(reseller.updatedAt).toISOString(),
  };
}

@Injectable()
export class ResellersService {
  private readonly logger = new Logger(ResellersService.name);
  constructor(
    private readonly dataSource: DataSource,
    private readonly resellers: ResellerRepository,
    private readonly outbox: OutboxWriter,
    private readonly relay: OutboxRelay,
  ) {}

  async create(body: CreateResellerBody, correlationId: string): Promise<ResellerView> {
    if (!RESELLER_ID_PATTERN.test(body.id ?? '')) {
      throw new DomainError(400, ErrorCodes.ValidationFailed, `A reseller id is ${RESELLER_ID_RULE}.`);
    }
    const name = (body.name ?? '').trim();
    if (!name) throw new DomainError(400, ErrorCodes.ValidationFailed, 'A reseller needs a name.');
    if (name.length > TextLimits.resellerName) {
      throw new DomainError(
        400,
        ErrorCodes.ValidationFailed,
        `A reseller name is at most ${TextLimits.resellerName} characters long.`,
      );
    }
    const created = await this.dataSource.transaction(async (manager) => {
      const reseller = await this.resellers.insertIfAbsent(manager, body.id, name);
      if (!reseller)
        throw new DomainError(409, ErrorCodes.ResellerExists, `A reseller with id "${body.id}" already exists.`);
      await this.outbox.add(
        manager,
        Events.ResellerCreated,
        { resellerId: reseller.id, name: reseller.name },
        correlationId,
      );
      return reseller;
    });
    this.relay.kick();
    return toResellerView(created);
  }

  async get(id: string): Promise<ResellerView> {
    const reseller = RESELLER_ID_PATTERN.test(id ?? '') ? await this.resellers.findById(id) : null;
    if (!reseller) throw new DomainError(404, ErrorCodes.ResellerNotFound, `There is no reseller "${id}".`);
    return toResellerView(reseller);
  }

  /**
   * Applies an approved 2FA ticket (enable → optional, require → required with its deadline,
   * disable → off): every approval moves the version by exactly one (even when
   * the setting already had that value) and announces the result, which resolves the ticket.
   * Approvals count in the order agents made them (`sequence`), not the order they arrive: one
   * older than the last applied (late, redelivered, replayed from the dead letters) changes
   * nothing, and the announcement of the reseller's current setting resolves its ticket.
   */
  async applyApproval(
    manager: EntityManager,
    approval: TicketTwoFactorApprovedPayload,
    correlationId: string,
  ): Promise<void> {
    const current = await this.resellers.findForUpdate(manager, approval.resellerId);
    if (!current) throw new Error(`approval ${approval.ticketId} names unknown reseller ${approval.resellerId}`);
    const superseded = approval.sequence !== undefined && approval.sequence <= current.lastApprovalSequence;
    if (superseded) {
      this.logger.warn(
        `approval ${approval.ticketId} of reseller ${approval.resellerId} (sequence ${approval.sequence}) is older than the last applied (${current.lastApprovalSequence}): nothing changes`,
      );
    }
    const updated = superseded
      ? current
      : await this.resellers.setTwoFactor(
          manager,
          approval.resellerId,
          settingFor(approval, new Date()),
          approval.sequence,
        );
    const view = toResellerView(updated);
    await this.outbox.add(
      manager,
      Events.ResellerTwoFactorChanged,
      {
        resellerId: view.id,
        enabled: view.twoFactorEnabled,
        mode: view.twoFactorMode,
        enrollBy: view.enrollBy,
        rememberDeviceDays: view.rememberDeviceDays,
        version: view.version,
        sourceTicketId: approval.ticketId,
        ...(approval.approvedAt ? { approvedAt: approval.approvedAt } : {}),
      },
      correlationId,
    );
  }
}
