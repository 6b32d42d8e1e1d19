import type { EventEnvelope } from '@pbx2fa/contracts';

/**
 * Events of one reseller keep their order from the outbox to their effect; events of different
 * resellers may overtake each other. Every event names its reseller. What cannot be read shares
 * one key, so it is handled in queue order with the rest of its kind.
 */
export type OrderingKey = string;

const UNKEYED: OrderingKey = '';

export function orderingKey(envelope: Pick<EventEnvelope, 'payload'>): OrderingKey {
  const resellerId = (envelope.payload as { resellerId?: unknown } | undefined)?.resellerId;
  return typeof resellerId === 'string' ? resellerId : UNKEYED;
}

/** The key of a delivered message: Nest's `{ pattern, data }` packet around an envelope. */
export function orderingKeyOfDelivery(content: Buffer): OrderingKey {
  try {
    const packet = JSON.parse(content.toString()) as { data?: Pick<EventEnvelope, 'payload'> };
    return packet.data ? orderingKey(packet.data) : UNKEYED;
  } catch {
    return UNKEYED;
  }
}

/**
 * Runs work one at a time per key and concurrently across keys, each key's work in the order
 * it was handed in.
 */
export class KeyedLanes {
  private readonly tails = new Map<OrderingKey, Promise<unknown>>();

  run<T>(key: OrderingKey, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running. */
  get busyKeys(): number {
    return this.tails.size;
  }
}

/**
 * The first message of each key, in order: what may be published at once without one message
 * overtaking an earlier one of its key, whichever of them the broker confirms.
 */
export function firstOfEachKey<T>(messages: readonly T[], keyOf: (message: T) => OrderingKey): T[] {
  const seen = new Set<OrderingKey>();
  return messages.filter((message) => {
    const key = keyOf(message);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
