import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope, EventName, EventPayloads } from '@pbx2fa/contracts';

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
    await manager.query('INSERT INTO outbox (event_id, event_name, envelope) VALUES ($1, $2, $3)', [
      envelope.eventId,
      name,
      envelope,
    ]);
    return envelope;
  }
}
