import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TicketSort, TicketStatus, TicketType } from '@pbx2fa/contracts';
import { containsPattern, queryRows } from '@pbx2fa/persistence';
import type { TicketCursor } from './ticket-cursor';
import type { Ticket } from './ticket.entity';

const COLUMNS = `id, reseller_id AS "resellerId", type, subject, description, status, opened_by AS "openedBy",
  target_username AS "targetUsername", grace_days AS "graceDays", assignee, created_at AS "createdAt",
  updated_at AS "updatedAt",
  decided_by AS "decidedBy", decided_at AS "decidedAt", resolution`;

export type NewTicket = Pick<
  Ticket,
  'resellerId' | 'type' | 'subject' | 'description' | 'openedBy' | 'targetUsername' | 'graceDays'
>;

export interface TicketFilter {
  /** null: every reseller. */
  resellerId: string | null;
  status?: TicketStatus;
  type?: TicketType;
  assignee?: string;
  /** Each word is in the subject, description, reseller id or opener, or names one of the resellers. */
  search: { word: string; resellersNamed: string[] }[];
  sort: TicketSort;
  after?: TicketCursor;
  limit: number;
}

/** A listed ticket with its creation time to the microsecond, for the next page's cursor. */
export type ListedTicket = Ticket & { cursorAt: string };

@Injectable()
export class TicketRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, ticket: NewTicket): Promise<Ticket> {
    const rows: Ticket[] = await manager.query(
      `INSERT INTO tickets (reseller_id, type, subject, description, opened_by, target_username, grace_days)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        ticket.resellerId,
        ticket.type,
        ticket.subject,
        ticket.description,
        ticket.openedBy,
        ticket.targetUsername,
        ticket.graceDays,
      ],
    );
    return rows[0];
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Ticket | null> {
    const rows = await queryRows<Ticket>(manager, `SELECT ${COLUMNS} FROM tickets WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Reads the row and holds it until the transaction ends, so two decisions on one ticket queue up. */
  async findForUpdate(manager: EntityManager, id: string): Promise<Ticket | null> {
    const rows = await queryRows<Ticket>(manager, `SELECT ${COLUMNS} FROM tickets WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  /** Oldest or newest first; keyset on (created_at, id) so a page never skips or repeats a row. */
  async list(filter: TicketFilter): Promise<ListedTicket[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (sql: (...placeholders: string[]) => string, ...values: unknown[]) => {
      const placeholders = values.map((value) => `$${params.push(value)}`);
      conditions.push(sql(...placeholders));
    };
    if (filter.resellerId) where((p) => `reseller_id = ${p}`, filter.resellerId);
    if (filter.status) where((p) => `status = ${p}`, filter.status);
    if (filter.type) where((p) => `type = ${p}`, filter.type);
    if (filter.assignee) where((p) => `assignee = ${p}`, filter.assignee);
    for (const { word, resellersNamed } of filter.search) {
      where(
        (like, named) =>
          `(subject ILIKE ${like} OR description ILIKE ${like} OR reseller_id ILIKE ${like} OR opened_by ILIKE ${like}` +
          ` OR reseller_id = ANY(${named}::text[]))`,
        containsPattern(word),
        resellersNamed,
      );
    }
    const ascending = filter.sort === 'oldest';
    if (filter.after) {
      where(
        (at, id) => `(created_at, id) ${ascending ? '>' : '<'} (${at}::timestamptz, ${id}::uuid)`,
        filter.after.createdAt,
        filter.after.id,
      );
    }
    params.push(filter.limit);
    const direction = ascending ? 'ASC' : 'DESC';
    return this.dataSource.query(
      `SELECT ${COLUMNS}, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
       FROM tickets ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY created_at ${direction}, id ${direction} LIMIT $${params.length}`,
      params,
    );
  }

  /** Moves the status; a decision also records who made it and when. */
  async setStatus(
    manager: EntityManager,
    id: string,
    status: TicketStatus,
    details: { decidedBy?: string; resolution?: string | null } = {},
  ): Promise<Ticket> {
    const rows: [Ticket[], number] = await manager.query(
      `UPDATE tickets SET status = $2, updated_at = now(),
         decided_by = COALESCE($3, decided_by),
         decided_at = CASE WHEN $3::text IS NULL THEN decided_at ELSE now() END,
         resolution = COALESCE($4, resolution)
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, status, details.decidedBy ?? null, details.resolution ?? null],
    );
    return rows[0][0];
  }

  async setAssignee(manager: EntityManager, id: string, assignee: string | null): Promise<Ticket> {
    const rows: [Ticket[], number] = await manager.query(
      `UPDATE tickets SET assignee = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, assignee],
    );
    return rows[0][0];
  }

  async touch(manager: EntityManager, id: string): Promise<void> {
    await manager.query('UPDATE tickets SET updated_at = now() WHERE id = $1', [id]);
  }
}
