import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { EVENTS_EXCHANGE, type EventEnvelope } from '@pbx2fa/contracts';
import { declaredByService, MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { declareTopology, deadLetterQueueName, eventQueueName, type ServiceName } from './topology';

/**
 * Publishes events on a confirm channel: a publish resolves only once the broker has taken the
 * message. The wire body is Nest's `{ pattern, data }` packet so Nest consumers dispatch it.
 */
@Injectable()
export class BrokerPublisher implements OnModuleDestroy {
  private readonly logger = new Logger(BrokerPublisher.name);
  private connection: AmqpConnectionManager | null = null;
  private channel: ChannelWrapper | null = null;
  private readonly connectListeners: (() => void)[] = [];

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {}

  private open(): ChannelWrapper {
    if (this.channel) return this.channel;
    this.connection = amqp.connect(this.options.rabbitmqUrls, {
      heartbeatIntervalInSeconds: 5,
      reconnectTimeInSeconds: 1,
    });
    this.connection.on('connectFailed', ({ err }) => this.logger.warn(`broker unreachable: ${err.message}`));
    this.connection.on('disconnect', ({ err }) =>
      this.logger.warn(`broker connection lost: ${err?.message ?? 'closed'}`),
    );
    this.connection.on('connect', () => this.connectListeners.forEach((listener) => listener()));
    this.channel = this.connection.createChannel({
      json: false,
      confirm: true,
      publishTimeout: this.options.rpcTimeoutMs,
      setup: (channel: ConfirmChannel) =>
        declareTopology(channel, this.options.queueType, declaredByService(this.options)),
    });
    // Without a listener, a failed set-up is thrown, and ends the process; it is tried again on reconnect.
    this.channel.on('error', (error: Error) => this.logger.error(`publishing channel error: ${error.message}`));
    return this.channel;
  }

  /** Called each time the publishing connection (re)connects to the broker. */
  onConnect(listener: () => void): void {
    this.connectListeners.push(listener);
  }

  /** Resolves when the broker confirms; rejects when it refuses or cannot be reached in time. */
  async publish(envelope: EventEnvelope): Promise<void> {
    const content = Buffer.from(JSON.stringify({ pattern: envelope.name, data: envelope }));
    await this.open().publish(EVENTS_EXCHANGE, envelope.name, content, {
      persistent: true,
      contentType: 'application/json',
      messageId: envelope.eventId,
      correlationId: envelope.correlationId,
      timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
      type: envelope.name,
      // Validated by the broker (it refuses another user's name), checked by every consumer.
      userId: this.options.brokerUser,
    });
  }

  /** Messages waiting in a service's dead-letter queue, or null while the broker is away. */
  deadLetterDepth(service: ServiceName): Promise<number | null> {
    return this.queueDepth(deadLetterQueueName(service));
  }

  /** Messages waiting in a service's event queue (not yet taken by its consumer), or null while the broker is away. */
  eventQueueDepth(service: ServiceName): Promise<number | null> {
    return this.queueDepth(eventQueueName(service));
  }

  private async queueDepth(queue: string): Promise<number | null> {
    if (!this.connection?.isConnected()) return null;
    try {
      return (await this.open().checkQueue(queue)).messageCount;
    } catch {
      return null;
    }
  }

  /** True once the publishing channel is up, waiting at most `timeoutMs` for it. */
  async waitForConnection(timeoutMs: number): Promise<boolean> {
    const channel = this.open();
    if (this.connection?.isConnected()) return true;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([channel.waitForConnect().then(() => true as const), gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.channel?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }
}
