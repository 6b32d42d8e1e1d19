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
 * it was handed in; at most `maxRunning` pieces of work run at once (the rest wait their turn,
 * first come, first served).
 */
export class KeyedLanes {
  private readonly tails = new Map<OrderingKey, Promise<unknown>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly maxRunning = Infinity) {}

  run<T>(key: OrderingKey, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => this.inTurn(work));
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.maxRunning) this.running++;
    else await new Promise<void>((admit) => this.waiting.push(admit));
    try {
      return await work();
    } finally {
      // The place goes straight to the next in turn, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
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
