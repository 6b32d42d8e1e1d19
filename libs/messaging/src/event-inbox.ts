import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RmqContext } from '@nestjs/microservices';
import type { Channel, Message } from 'amqplib';
import { DataSource, type EntityManager } from 'typeorm';
import { EventEnvelopeSchema, EventPayloadSchemas, type EventEnvelope, type EventName } from '@pbx2fa/contracts';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OutboxRelay } from './outbox-relay';
import { eventQueueName } from './topology';

export const ATTEMPTS_HEADER = 'x-pbx2fa-attempts';

export type EventEffect<N extends EventName> = (manager: EntityManager, event: EventEnvelope<N>) => Promise<void>;

/**
 * Applies an event at most once and acknowledges it only after the effect has committed.
 * The event id goes into the inbox in the same transaction as the effect, so a redelivery
 * changes nothing. A message that cannot be read goes straight to the dead-letter queue; one
 * whose effect fails is retried a bounded number of times, then dead-lettered.
 */
@Injectable()
export class EventInbox {
  private readonly logger = new Logger(EventInbox.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  async consume<N extends EventName>(name: N, data: unknown, context: RmqContext, effect: EventEffect<N>): Promise<void> {
    const channel = context.getChannelRef() as Channel;
    const message = context.getMessage() as Message;

    const event = this.parse(name, data);
    if (typeof event === 'string') {
      this.logger.error(`dead-lettering unreadable ${name} message: ${event}`);
      channel.nack(message, false, false);
      return;
    }

    try {
      const applied = await this.dataSource.transaction(async (manager) => {
        const inserted = await manager.query(
          'INSERT INTO inbox (event_id, event_name) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING event_id',
          [event.eventId, event.name],
        );
        if (inserted.length === 0) return false;
        await effect(manager, event);
        return true;
      });
      channel.ack(message);
      if (applied) this.relay.kick();
      else this.logger.log(`ignored duplicate ${name} ${event.eventId}`);
    } catch (error) {
      await this.retryOrDeadLetter(channel, message, name, error);
    }
  }

  private parse<N extends EventName>(name: N, data: unknown): EventEnvelope<N> | string {
    const envelope = EventEnvelopeSchema.safeParse(data);
    if (!envelope.success) return `envelope: ${envelope.error.issues[0]?.message}`;
    if (envelope.data.name !== name) return `name ${envelope.data.name} does not match routing ${name}`;
    const payload = EventPayloadSchemas[name].safeParse(envelope.data.payload);
    if (!payload.success) return `payload: ${payload.error.issues[0]?.path.join('.')} ${payload.error.issues[0]?.message}`;
    return { ...envelope.data, name, payload: payload.data } as EventEnvelope<N>;
  }

  private async retryOrDeadLetter(channel: Channel, message: Message, name: string, error: unknown): Promise<void> {
    const attempts = Number(message.properties.headers?.[ATTEMPTS_HEADER] ?? 0) + 1;
    const reason = error instanceof Error ? error.message : String(error);
    if (attempts >= this.options.consumerMaxAttempts) {
      this.logger.error(`dead-lettering ${name} after ${attempts} failed attempts: ${reason}`);
      channel.nack(message, false, false);
      return;
    }
    this.logger.warn(`${name} failed (attempt ${attempts}), retrying: ${reason}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempts)));
    try {
      // Re-queue a copy that counts its attempts; the original is acked only once the copy is in.
      const queued = channel.sendToQueue(eventQueueName(this.options.service), message.content, {
        ...message.properties,
        headers: { ...message.properties.headers, [ATTEMPTS_HEADER]: attempts },
      });
      if (!queued) throw new Error('channel buffer full');
      await (channel as Channel & { waitForConfirms?: () => Promise<void> }).waitForConfirms?.();
      channel.ack(message);
    } catch {
      channel.nack(message, false, true);
    }
  }
}
