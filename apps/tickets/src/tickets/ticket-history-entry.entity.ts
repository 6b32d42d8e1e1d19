import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TicketStatus } from '@pbx2fa/contracts';

/** One thing that happened to a ticket: every status change and every comment. */
@Entity({ name: 'ticket_history' })
export class TicketHistoryEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Write order; an approval and the resolution that follows it share one transaction's `now()`. */
  @Column({ type: 'bigint', generated: 'increment' })
  position: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  /** A username, or `system` when an event from another service did it. */
  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus: TicketStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus: TicketStatus;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
