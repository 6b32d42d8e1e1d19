import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@pbx2fa/persistence';
import type { TicketComment } from './ticket-comment.entity';
import type { TicketHistoryEntry } from './ticket-history-entry.entity';

export type NewHistoryEntry = Pick<TicketHistoryEntry, 'actor' | 'action' | 'fromStatus' | 'toStatus' | 'note'>;

/** Comments and history: what was said about a ticket and what happened to it. */
@Injectable()
export class TicketActivityRepository {
  constructor(private readonly dataSource: DataSource) {}

  async addComment(
    manager: EntityManager,
    ticketId: string,
    comment: Pick<TicketComment, 'author' | 'body' | 'internal'>,
  ): Promise<TicketComment> {
    const rows: TicketComment[] = await manager.query(
      `INSERT INTO ticket_comments (ticket_id, author, body, internal) VALUES ($1, $2, $3, $4)
       RETURNING id, position, ticket_id AS "ticketId", author, body, internal, created_at AS "createdAt"`,
      [ticketId, comment.author, comment.body, comment.internal],
    );
    return rows[0];
  }

  async addHistory(manager: EntityManager, ticketId: string, entry: NewHistoryEntry): Promise<void> {
    await manager.query(
      'INSERT INTO ticket_history (ticket_id, actor, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6)',
      [ticketId, entry.actor, entry.action, entry.fromStatus, entry.toStatus, entry.note],
    );
  }

  /** Comments of several tickets in one query, oldest first. */
  async commentsOf(ticketIds: string[], manager: EntityManager = this.dataSource.manager): Promise<TicketComment[]> {
    if (ticketIds.length === 0) return [];
    return queryRows<TicketComment>(
      manager,
      `SELECT id, position::text, ticket_id AS "ticketId", author, body, internal, created_at AS "createdAt"
         FROM ticket_comments WHERE ticket_id = ANY($1::uuid[]) ORDER BY position`,
      [ticketIds],
    );
  }

  /** History of several tickets in one query, oldest first. */
  async historyOf(
    ticketIds: string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<TicketHistoryEntry[]> {
    if (ticketIds.length === 0) return [];
    return queryRows<TicketHistoryEntry>(
      manager,
      `SELECT id, position::text, ticket_id AS "ticketId", actor, action, from_status AS "fromStatus", to_status AS "toStatus", note, at
         FROM ticket_history WHERE ticket_id = ANY($1::uuid[]) ORDER BY position`,
      [ticketIds],
    );
  }
}
