import { ServerRMQ, type OutgoingResponse, type RmqContext } from '@nestjs/microservices';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';

/**
 * Nest's RabbitMQ server, made to outlive the broker going away. Its channels confirm every
 * publish (amqp-connection-manager's default), but Nest drops the promise of a reply: a reply
 * still unconfirmed when the connection drops rejected unhandled and ended the process. The
 * caller times out and answers 503 instead.
 */
export abstract class SafeServerRMQ extends ServerRMQ {
  // Nest types its connection and channel as `any`; they are amqp-connection-manager's.
  declare protected server: AmqpConnectionManager | null;
  declare protected channel: ChannelWrapper | null;

  override sendMessage<T = unknown>(message: T, replyTo: string, correlationId: string, _context: RmqContext): void {
    const { options, ...packet } = this.serializer.serialize(message as OutgoingResponse) as { options?: object };
    this.channel
      ?.sendToQueue(replyTo, Buffer.from(JSON.stringify(packet)), { correlationId, ...options })
      .catch((error: Error) => {
        this.logger.warn(`reply ${correlationId} was not delivered: ${error.message}`);
      });
  }

  /** True once the server has declared what it needs and consumes; false while disconnected. */
  consuming = false;

  override async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    // RmqStatus is a const enum with no value at run time: compared as the string it is.
    this.status.subscribe((status: string) => {
      if (status !== 'connected') this.consuming = false;
    });
    return super.listen(callback);
  }

  /** Runs again on every reconnection: declares what the server needs, then consumes. */
  override async setupChannel(channel: Channel, callback: (...args: unknown[]) => unknown): Promise<void> {
    // Without a listener, an error the channel reports (a failed set-up) is thrown, and ends the process.
    if (this.channel && this.channel.listenerCount('error') === 0) {
      this.channel.on('error', (error: Error) => {
        this.logger.error(`channel error: ${error.message}`);
      });
    }
    await this.declare(channel);
    await super.setupChannel(channel, callback);
    this.consuming = true;
  }

  /**
   * A delivery of null is the broker cancelling our consumer: the queue went away. On a cluster a
   * request queue (classic, not durable) is deleted with the node that holds it, while this server
   * may be connected to another node and would stay there consuming nothing, every request to it
   * dropped. Reconnecting declares the queue again, on the node we reach, and consumes from it.
   */
  override async handleMessage(message: Record<string, unknown> | null, channel: unknown): Promise<void> {
    if (message !== null) return super.handleMessage(message, channel);
    this.consuming = false;
    this.logger.warn(
      `the broker cancelled our consumer of ${this.queue} (its queue was deleted); reconnecting to declare it again`,
    );
    try {
      this.server?.reconnect();
    } catch {
      // Closing down: nothing to consume any more.
    }
  }

  /** What must exist before the server consumes; nothing beyond its own queue by default. */
  protected async declare(_channel: Channel): Promise<void> {}
}
