import { RmqContext } from '@nestjs/microservices';
import type { Channel, ConsumeMessage } from 'amqplib';
import { ErrorCodes, type RpcResult } from '@pbx2fa/contracts';
import type { MessagingOptions } from './messaging.options';
import { rpcRefused } from './messaging-metrics';
import { SafeServerRMQ } from './safe-server-rmq';
import { GATEWAY, rpcQueueName } from './topology';
import { RPC_TRANSPORT } from './transports';

/**
 * Answers the gateway's requests. Requests expire in the queue when the gateway stops waiting,
 * so a service that was down never acts on a request nobody is waiting for.
 *
 * A request carries who is asking (`actor`), as the gateway authenticated them; it is believed
 * only from the gateway's broker user, which the broker vouches for in `user_id`. Anything else
 * on the queue is answered 403 and never reaches a handler.
 */
export class RpcServer extends SafeServerRMQ {
  constructor(private readonly messaging: MessagingOptions) {
    super({
      urls: messaging.rabbitmqUrls,
      queue: rpcQueueName(messaging.service),
      queueOptions: { durable: false },
      noAck: true,
      prefetchCount: 50,
      socketOptions: { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 1 },
    });
    this.transportId = RPC_TRANSPORT;
  }

  override async handleMessage(message: Record<string, unknown> | null, channel: Channel): Promise<void> {
    const gateway = this.messaging.serviceUsers[GATEWAY];
    const delivery = message as ConsumeMessage | null;
    if (delivery && delivery.properties.userId !== gateway) return this.refuse(delivery, channel, gateway);
    return super.handleMessage(message, channel);
  }

  private refuse(message: ConsumeMessage, channel: Channel, gateway: string): void {
    const { userId, replyTo, correlationId } = message.properties as {
      userId?: string;
      replyTo?: string;
      correlationId?: string;
    };
    let packet: { id?: unknown; pattern?: unknown } = {};
    try {
      packet = JSON.parse(message.content.toString('utf8')) as typeof packet;
    } catch {
      // Not even a request: nothing to answer.
    }
    const pattern = typeof packet.pattern === 'string' ? packet.pattern.slice(0, 100) : 'unreadable';
    rpcRefused.inc();
    this.logger.warn(
      `refused ${pattern} from ${userId ? `broker user ${userId}` : 'a message without user_id'}: ` +
        `only the gateway's user ${gateway} may call ${this.queue}`,
    );
    if (!replyTo || packet.id === undefined) return;
    const response: RpcResult<never> = {
      ok: false,
      error: { statusCode: 403, error: ErrorCodes.Forbidden, message: 'Only the gateway may send requests here.' },
    };
    this.sendMessage(
      { id: packet.id, response, isDisposed: true },
      replyTo,
      correlationId ?? '',
      new RmqContext([message, channel, pattern]),
    );
  }
}
