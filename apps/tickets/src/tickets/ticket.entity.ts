import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TicketStatus, TicketType } from '@pbx2fa/contracts';

@Entity({ name: 'tickets' })
export class Ticket {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'reseller_id', type: 'text' })
  resellerId: string;

  @Column({ type: 'text' })
  type: TicketType;

  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'text', default: 'open' })
  status: TicketStatus;

  /** Username of whoever opened it; only they may close it. */
  @Column({ name: 'opened_by', type: 'text' })
  openedBy: string;

  /** Only for `reset_user_2fa`: the user whose second factor is to be reset. */
  @Column({ name: 'target_username', type: 'text', nullable: true })
  targetUsername: string | null;

  /** Only for `require_2fa`: the days the reseller's users get to enroll once it is approved. */
  @Column({ name: 'grace_days', type: 'int', nullable: true })
  graceDays: number | null;
  /** The agent working on it, if any. */
  @Column({ type: 'text', nullable: true })
  assignee: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  resolution: string | null;
}
