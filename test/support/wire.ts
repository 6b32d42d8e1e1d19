import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { Client } from 'pg';
import { EVENTS_EXCHANGE, type EventEnvelope, type EventName, type EventPayloads } from '@pbx2fa/contracts';

/**
 * What the tests put straight on the wire or read straight from the tables, around the services:
 * events published onto the exchange as a producer would, RPC requests as the gateway sends
 * them, and rows of a service's own schema.
 */

/** An envelope as a producer writes it; a fresh event id unless one is given. */
export function envelope<N extends EventName>(
  name: N,
  payload: EventPayloads[N],
  eventId: string = randomUUID(),
): EventEnvelope<N> {
  return { eventId, name, occurredAt: new Date().toISOString(), correlationId: `e2e-${randomUUID()}`, payload };
}

/** The wire body of an event: Nest's `{ pattern, data }` packet around the envelope. */
export function packet(event: EventEnvelope): Buffer {
  return Buffer.from(JSON.stringify({ pattern: event.name, data: event }));
}

/**
 * Publishes raw bodies onto `pbx2fa.events` under a routing key, persistent, and waits for the
 * broker's confirms.
 */
export async function publishRaw(
  url: string,
  messages: { routingKey: string; body: Buffer; messageId?: string }[],
): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    for (const { routingKey, body, messageId } of messages) {
      channel.publish(EVENTS_EXCHANGE, routingKey, body, {
        persistent: true,
        contentType: 'application/json',
        messageId,
        type: routingKey,
      });
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** Takes every message waiting in a queue off it (acknowledged), in queue order. */
export async function takeAll(
  url: string,
  queue: string,
): Promise<{ routingKey: string; body: Buffer; messageId?: string }[]> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const taken: { routingKey: string; body: Buffer; messageId?: string }[] = [];
    for (let message = await channel.get(queue); message; message = await channel.get(queue)) {
      taken.push({
        routingKey: message.fields.routingKey,
        body: message.content,
        messageId: message.properties.messageId,
      });
      channel.ack(message);
    }
    await channel.close();
    return taken;
  } finally {
    await connection.close();
  }
}

export function publishEvents(url: string, events: EventEnvelope[]): Promise<void> {
  return publishRaw(
    url,
    events.map((event) => ({ routingKey: event.name, body: packet(event), messageId: event.eventId })),
  );
}

/** A request/response call as the gateway makes it, answered on the direct reply-to queue. */
export async function rpcCall<T>(
  url: string,
  queue: string,
  pattern: string,
  data: unknown,
  timeoutMs = 5000,
): Promise<T> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const id = randomUUID();
    const answer = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${pattern} on ${queue}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void channel.consume(
        'amq.rabbitmq.reply-to',
        (message) => {
          if (!message || message.properties.correlationId !== id) return;
          clearTimeout(timer);
          resolve(JSON.parse(message.content.toString()).response as T);
        },
        { noAck: true },
      );
    });
    channel.sendToQueue(queue, Buffer.from(JSON.stringify({ pattern, data, id })), {
      replyTo: 'amq.rabbitmq.reply-to',
      correlationId: id,
      expiration: String(timeoutMs),
    });
    return await answer;
  } finally {
    await connection.close();
  }
}

/** Runs one query against the stack's database; `schema` is a service's own. */
export async function query<T = Record<string, unknown>>(
  databaseUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
