import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { RmqContext } from '@nestjs/microservices';
import type { Channel, Message } from 'amqplib';
import { DataSource, type EntityManager } from 'typeorm';
import { isTransientFailure } from '@pbx2fa/persistence';
import {
  EventEnvelopeSchema,
  EventPayloadSchemas,
  type EventEnvelope,
  type EventName,
  type EventPayloads,
} from '@pbx2fa/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OutboxRelay } from './outbox-relay';
import { eventsConsumed } from './messaging-metrics';
import { publisherRefusal } from './event-publisher';

export type EventEffect<N extends EventName> = (manager: EntityManager, event: EventEnvelope<N>) => Promise<void>;

export interface ConsumeOptions<N extends EventName> {
  /**
   * For events whose effect must happen once whatever their event id (an approval re-published
   * under a new id): the key of that effect, e.g. the ticket it approves.
   */
  onceFor?: (event: EventEnvelope<N>) => string;
}

/** Events that carry out a ticket's decision. */
type TicketDecisionEvent = { [K in EventName]: EventPayloads[K] extends { ticketId: string } ? K : never }[EventName];

/** A ticket's decision takes effect once, whatever event id carries it (the same key for every such event). */
export const oncePerTicket: ConsumeOptions<TicketDecisionEvent> = {
  onceFor: (event) => `ticket:${event.payload.ticketId}`,
};

const MAX_RETRY_DELAY_MS = 5000;

/** Waits before the next try: 200 ms, 400 ms, … up to five seconds. */
export const retryDelayMs = (attempt: number) => Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** Math.min(attempt, 16));

/**
 * Applies an event at most once and acknowledges it only after the effect has committed.
 * The event id goes into the inbox in the same transaction as the effect, so a redelivery
 * changes nothing. A message that cannot be read, or whose broker-validated publisher is not the
 * service the contract names for it, goes straight to the dead-letter queue. One
 * whose effect fails is tried again in place (events behind it of the same reseller wait;
 * others go on): for as long as it takes when the failure passes by itself (the database is
 * away, a serialization race), a bounded number of times otherwise, then dead-lettered.
 */
@Injectable()
export class EventInbox implements OnApplicationShutdown {
  private readonly logger = new Logger(EventInbox.name);
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  /** An event still being retried is left unacknowledged: the broker hands it to whoever consumes next. */
  onApplicationShutdown(): void {
    this.stopping = true;
  }

  async consume<N extends EventName>(
    name: N,
    data: unknown,
    context: RmqContext,
    effect: EventEffect<N>,
    options: ConsumeOptions<N> = {},
  ): Promise<void> {
    const channel = context.getChannelRef() as Channel;
    const message = context.getMessage() as Message;

    // Before anything else: who sent it decides whether it is read at all.
    const refusal = publisherRefusal(name, message.properties.userId, this.options.serviceUsers);
    if (refusal) {
      this.logger.error(`dead-lettering ${name} ${String(message.properties.messageId ?? '')}: ${refusal}`);
      this.settle(channel, message, 'nack');
      eventsConsumed.inc({ event: name, result: 'refused_publisher' });
      return;
    }

    const event = this.parse(name, data);
    if (typeof event === 'string') {
      this.logger.error(`dead-lettering unreadable ${name} message: ${event}`);
      this.settle(channel, message, 'nack');
      eventsConsumed.inc({ event: name, result: 'dead_lettered' });
      return;
    }

    // Retried here rather than re-queued at the back, so events behind it keep their order.
    for (let attempt = 1, failures = 0; ; attempt++) {
      try {
        const applied = await this.apply(event, effect, options.onceFor?.(event) ?? null);
        this.settle(channel, message, 'ack');
        eventsConsumed.inc({ event: name, result: applied ? 'applied' : 'duplicate' });
        if (applied) this.relay.kick();
        if (!applied) this.logger.log(`ignored duplicate ${name} ${event.eventId}`);
        return;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const transient = isTransientFailure(error);
        if (!transient) failures++;
        if (failures >= this.options.consumerMaxAttempts) {
          this.logger.error(`dead-lettering ${name} ${event.eventId} after ${failures} failed attempts: ${reason}`);
          this.settle(channel, message, 'nack');
          eventsConsumed.inc({ event: name, result: 'dead_lettered' });
          return;
        }
        eventsConsumed.inc({ event: name, result: transient ? 'waiting_for_database' : 'failed_attempt' });
        // Every try while the database is away would log a line: the first few and then one a minute.
        if (!transient || attempt <= 3 || attempt % 12 === 0) {
          this.logger.warn(
            `${name} ${event.eventId} failed (attempt ${attempt}${transient ? ', will wait as long as it takes' : ''}), retrying: ${reason}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
        if (this.stopping) {
          this.logger.warn(`stopping: ${name} ${event.eventId} is left to be delivered again`);
          return;
        }
      }
    }
  }

  /**
   * Records the event and runs its effect in one transaction; false when it was handled before
   * (the same event id, or another event with the same effect key).
   */
  private apply<N extends EventName>(
    event: EventEnvelope<N>,
    effect: EventEffect<N>,
    effectKey: string | null,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager.query<unknown[]>(
        'INSERT INTO inbox (event_id, event_name, effect_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id',
        [event.eventId, event.name, effectKey],
      );
      if (inserted.length === 0) return false;
      await effect(manager, event);
      return true;
    });
  }

  /**
   * The channel a message came on may have closed meanwhile (the broker went away): the broker
   * then delivers the message again, and the inbox drops it if its effect had committed.
   */
  private settle(channel: Channel, message: Message, outcome: 'ack' | 'nack'): void {
    try {
      if (outcome === 'ack') channel.ack(message);
      else channel.nack(message, false, false);
    } catch (error) {
      this.logger.warn(`could not ${outcome} a message, it will be delivered again: ${(error as Error).message}`);
    }
  }

  private parse<N extends EventName>(name: N, data: unknown): EventEnvelope<N> | string {
    const envelope = EventEnvelopeSchema.safeParse(data);
    if (!envelope.success) return `envelope: ${envelope.error.issues[0]?.message}`;
    if (envelope.data.name !== name) return `name ${envelope.data.name} does not match routing ${name}`;
    const payload = EventPayloadSchemas[name].safeParse(envelope.data.payload);
    if (!payload.success)
      return `payload: ${payload.error.issues[0]?.path.join('.')} ${payload.error.issues[0]?.message}`;
    return { ...envelope.data, name, payload: payload.data } as EventEnvelope<N>;
  }
}
