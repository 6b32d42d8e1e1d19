import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'ticket_comments' })
export class TicketComment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Write order; several comments can share a `created_at`. */
  @Column({ type: 'bigint', generated: 'increment' })
  position: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @Column({ type: 'text' })
  author: string;

  @Column({ type: 'text' })
  body: string;

  /** An agents' note: never shown to reseller users. */
  @Column({ type: 'boolean', default: false })
  internal: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
