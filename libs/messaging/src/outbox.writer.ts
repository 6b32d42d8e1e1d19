import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope, EventName, EventPayloads } from '@pbx2fa/contracts';
import { OutboxMessage } from './outbox-message.entity';

/** Records an event inside the caller's transaction; the relay publishes it after commit. */
@Injectable()
export class OutboxWriter {
  async add<N extends EventName>(
    manager: EntityManager,
    name: N,
    payload: EventPayloads[N],
    correlationId: string,
  ): Promise<EventEnvelope<N>> {
    const envelope: EventEnvelope<N> = {
      eventId: randomUUID(),
      name,
      occurredAt: new Date().toISOString(),
      correlationId,
      payload,
    };
    await manager.insert(OutboxMessage, { eventId: envelope.eventId, eventName: name, envelope });
    return envelope;
  }
}
