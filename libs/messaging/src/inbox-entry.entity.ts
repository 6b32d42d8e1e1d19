import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An event this service has applied; its id (and its effect key) make a redelivery change nothing. */
@Entity({ name: 'inbox' })
export class InboxEntry {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'event_name', type: 'text' })
  eventName: string;

  /** What the event did, for events that must take effect once whatever their id (an approval: its ticket). */
  @Column({ name: 'effect_key', type: 'text', nullable: true, unique: true })
  effectKey: string | null;

  @Column({ name: 'handled_at', type: 'timestamptz', default: () => 'now()' })
  handledAt: Date;
}
