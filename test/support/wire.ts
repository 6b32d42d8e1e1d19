import { randomUUID } from 'node:crypto';
import amqp, { type ConfirmChannel } from 'amqplib';
import { Client } from 'pg';
import {
  EventPublishers,
  EVENTS_EXCHANGE,
  type EventEnvelope,
  type EventName,
  type EventPayloads,
  type ServiceName,
} from '@pbx2fa/contracts';

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

export interface PublishOptions {
  /** The broker-validated user_id to put on each message: the connection's own user, or the broker refuses. */
  userId?: string;
  /** `pbx2fa.events` unless told; `''` is the default exchange, where the routing key is a queue's name. */
  exchange?: string;
}

/**
 * Publishes raw bodies (persistent) under a routing key, and waits for the broker's confirms;
 * rejects with the broker's own reason when it refuses one (permissions, a wrong user_id).
 */
export async function publishRaw(
  url: string,
  messages: { routingKey: string; body: Buffer; messageId?: string }[],
  { userId, exchange = EVENTS_EXCHANGE }: PublishOptions = {},
): Promise<void> {
  const connection = await amqp.connect(url);
  let refusal: Error | null = null;
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) => (refusal = error));
    for (const { routingKey, body, messageId } of messages) {
      channel.publish(exchange, routingKey, body, {
        persistent: true,
        contentType: 'application/json',
        messageId,
        type: routingKey,
        userId,
      });
    }
    await channel.waitForConfirms().catch((error: Error) => {
      throw refusal ?? error;
    });
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Who may publish as whom in a stack: its broker users (see `startStack`). */
export interface BrokerAccess {
  brokerUrlAs(user: ServiceName | 'operator'): string;
  brokerUsers: Record<ServiceName, string>;
}

/** Publishes events as their producers do: each from the broker user of the service the contract names. */
export async function publishEvents(stack: BrokerAccess, events: EventEnvelope[]): Promise<void> {
  for (const event of events) {
    const publisher = EventPublishers[event.name];
    await publishRaw(
      stack.brokerUrlAs(publisher),
      [{ routingKey: event.name, body: packet(event), messageId: event.eventId }],
      { userId: stack.brokerUsers[publisher] },
    );
  }
}

/** What the broker answers to one operation by a user: `ok`, or its refusal (e.g. `403 (ACCESS-REFUSED) …`). */
export async function brokerAnswer(url: string, operation: (channel: ConfirmChannel) => unknown): Promise<string> {
  const connection = await amqp.connect(url);
  let refusal: Error | null = null;
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) => (refusal = error));
    await operation(channel);
    await channel.waitForConfirms();
    await channel.close();
    return 'ok';
  } catch (error) {
    return (refusal ?? (error as Error)).message;
  } finally {
    await connection.close().catch(() => undefined);
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

/**
 * A request/response call as the gateway makes it, answered on the direct reply-to queue. Services
 * serve only the gateway's broker user: connect as it (`stack.brokerUrlAs('auth')`) and give its
 * name as `userId`.
 */
export async function rpcCall<T>(
  url: string,
  queue: string,
  pattern: string,
  data: unknown,
  { timeoutMs = 5000, userId }: { timeoutMs?: number; userId?: string } = {},
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
      userId,
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
