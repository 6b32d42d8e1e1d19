import type { MessageHandler } from '@nestjs/microservices';
import type { Channel, ConsumeMessage } from 'amqplib';
import { isObservable, lastValueFrom } from 'rxjs';
import { declaredByService, type MessagingOptions } from './messaging.options';
import { KeyedLanes, orderingKeyOfDelivery } from './ordering';
import { SafeServerRMQ } from './safe-server-rmq';
import { declareTopology, eventQueueName, eventQueueOptions } from './topology';
import { EVENT_TRANSPORT } from './transports';

/**
 * Messages taken from the queue before earlier ones are acknowledged: different resellers'
 * events are applied side by side, each reseller's strictly in queue order (see KeyedLanes).
 */
const PREFETCH = 64;

/**
 * Events applied at once. Each holds a database connection while it runs: a few resellers
 * whose events wait on a lock (or a slow database) must not take the whole pool (10) and leave
 * the service's API without one.
 */
const CONCURRENT_EVENTS = 4;

/** Consumes the service's durable event queue with manual acks; declares the topology first. */
export class EventServer extends SafeServerRMQ {
  private readonly lanes = new KeyedLanes(CONCURRENT_EVENTS);

  constructor(private readonly messaging: MessagingOptions) {
    super({
      urls: messaging.rabbitmqUrls,
      queue: eventQueueName(messaging.service),
      queueOptions: eventQueueOptions(messaging.service, messaging.queueType),
      noAck: false,
      prefetchCount: PREFETCH,
      persistent: true,
      socketOptions: { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 1 },
    });
    this.transportId = EVENT_TRANSPORT;
  }

  /**
   * Nest runs every delivered message's handler at once; here a message waits until the one
   * before it of the same reseller has been handled (acknowledged or dead-lettered): Nest's
   * handling of a message ends when its handler has settled (see getHandlerByPattern).
   */
  override handleMessage(message: Pick<ConsumeMessage, 'content'> | null, channel: Channel): Promise<void> {
    if (!message) return super.handleMessage(message, channel);
    return this.lanes.run(orderingKeyOfDelivery(message.content), () => super.handleMessage(message, channel));
  }

  /**
   * The handler as Nest registered it, settling only when the handling is over. With a
   * pre-request hook (the logging context), Nest's handler answers with a stream that is still
   * running, and Nest would not wait for it: the lane would let the reseller's next event overtake.
   */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    const handler: MessageHandler<unknown, unknown, unknown> | null = super.getHandlerByPattern(pattern);
    if (!handler) return null;
    const untilDone = async (data: unknown, context?: unknown) => {
      const result = await handler(data, context);
      return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
    };
    return Object.assign(untilDone, {
      isEventHandler: handler.isEventHandler,
      extras: handler.extras,
      next: handler.next,
    }) as MessageHandler;
  }

  protected override declare(channel: Channel): Promise<void> {
    return declareTopology(channel, this.messaging.queueType, declaredByService(this.messaging));
  }
}
