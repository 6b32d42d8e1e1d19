import amqp, { type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { deadLetterQueueName, eventQueueName, type ServiceName } from './topology';

export interface DeadLetter {
  eventId: string | null;
  eventName: string | null;
  /** The broker user that published it (its validated user_id): a forged event shows who sent it. */
  publisher: string | null;
  reason: string | null;
  deadLetteredAt: string | null;
  body: string;
}

interface DeathRecord {
  reason?: string;
  time?: { value?: number } | Date;
  'routing-keys'?: string[];
}

function describe(message: GetMessage): DeadLetter {
  const deaths = (message.properties.headers?.['x-death'] ?? []) as DeathRecord[];
  const death = deaths[0];
  const time = death?.time instanceof Date ? death.time.getTime() : death?.time?.value ? death.time.value * 1000 : null;
  return {
    eventId: (message.properties.messageId as string) ?? null,
    eventName: (message.properties.type as string) ?? death?.['routing-keys']?.[0] ?? null,
    publisher: (message.properties.userId as string) ?? null,
    reason: death?.reason ?? null,
    deadLetteredAt: time ? new Date(time).toISOString() : null,
    body: message.content.toString('utf8').slice(0, 500),
  };
}

/** The first of a cluster's nodes that accepts a connection, tried in turn as the services do. */
async function connectToFirst(urls: readonly string[]): Promise<ChannelModel> {
  const failures: string[] = [];
  for (const url of urls) {
    try {
      return await amqp.connect(url);
    } catch (error) {
      failures.push(`${new URL(url).host}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no RabbitMQ node answered (${failures.join('; ')})`);
}

async function withChannel<T>(urls: readonly string[], work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
  const connection = await connectToFirst(urls);
  let closedBecause: Error | null = null;
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) => (closedBecause = error));
    const result = await work(channel).catch((error: Error) => {
      throw closedBecause ? new Error(explain(closedBecause)) : error;
    });
    // Closing the channel first makes the broker take its last acks; closing only the connection
    // can overtake them, and the last message replayed would stay in the dead-letter queue.
    await channel.close();
    return result;
  } finally {
    await connection.close();
  }
}

/** The broker's reason, with what to do when it is the one an operator meets. */
function explain(error: Error): string {
  if (!/user_id property set to/.test(error.message)) return error.message;
  return (
    `${error.message}. A dead letter goes back under the user_id of the service that published it, ` +
    'which only a broker user tagged impersonator may do: run this as the operator user (README, "Dead letters")'
  );
}

/** What sits in a service's dead-letter queue; the messages stay there. */
export function listDeadLetters(urls: readonly string[], service: ServiceName, limit = 100): Promise<DeadLetter[]> {
  return withChannel(urls, async (channel) => {
    const seen: DeadLetter[] = [];
    const held: GetMessage[] = [];
    for (let i = 0; i < limit; i++) {
      const message = await channel.get(deadLetterQueueName(service), { noAck: false });
      if (!message) break;
      held.push(message);
      seen.push(describe(message));
    }
    for (const message of held) channel.nack(message, false, true);
    return seen;
  });
}

/**
 * Puts dead letters back on the service's own event queue (not on the exchange, which would hand
 * a copy to every other consumer of the event too); each is removed from the dead-letter queue
 * only after the broker confirmed the copy. The consumer's inbox makes a replay of something
 * already applied harmless. A copy keeps its `user_id` (its publisher), so a forged event stays
 * refused; the broker lets only a user tagged `impersonator` publish that.
 */
export function replayDeadLetters(urls: readonly string[], service: ServiceName, limit = 1000): Promise<number> {
  return withChannel(urls, async (channel) => {
    let replayed = 0;
    // Only what is there now: a replayed message that fails again comes back, and must not loop.
    const { messageCount } = await channel.checkQueue(deadLetterQueueName(service));
    for (let i = 0; i < Math.min(limit, messageCount); i++) {
      const message = await channel.get(deadLetterQueueName(service), { noAck: false });
      if (!message) break;
      // A fresh start: without the broker's record of earlier deaths.
      const headers = Object.fromEntries(
        Object.entries(message.properties.headers ?? {}).filter(([key]) => !/^x-(first-|last-)?death/.test(key)),
      );
      channel.sendToQueue(eventQueueName(service), message.content, {
        ...message.properties,
        headers,
        persistent: true,
      });
      await channel.waitForConfirms();
      channel.ack(message);
      replayed += 1;
    }
    return replayed;
  });
}
