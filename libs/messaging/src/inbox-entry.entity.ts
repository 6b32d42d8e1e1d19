import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An event this service has applied; its id makes a redelivery change nothing. */
@Entity({ name: 'inbox' })
export class InboxEntry {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'event_name', type: 'text' })
  eventName: string;

  @Column({ name: 'handled_at', type: 'timestamptz', default: () => 'now()' })
  handledAt: Date;
}
