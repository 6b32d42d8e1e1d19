import type { Channel } from 'amqplib';
import type { MessagingOptions } from './messaging.options';
import { SafeServerRMQ } from './safe-server-rmq';
import { declareTopology, eventQueueName, eventQueueOptions } from './topology';
import { EVENT_TRANSPORT } from './transports';

/** Nest handles delivered messages concurrently: one at a time keeps them in queue order. */
const PREFETCH = 1;

/** Consumes the service's durable event queue with manual acks; declares the topology first. */
export class EventServer extends SafeServerRMQ {
  constructor(private readonly messaging: MessagingOptions) {
    super({
      urls: [messaging.rabbitmqUrl],
      queue: eventQueueName(messaging.service),
      queueOptions: eventQueueOptions(messaging.service, messaging.queueType),
      noAck: false,
      prefetchCount: PREFETCH,
      persistent: true,
      socketOptions: { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 1 },
    });
    this.transportId = EVENT_TRANSPORT;
  }

  protected override declare(channel: Channel): Promise<void> {
    return declareTopology(channel, this.messaging.queueType);
  }
}
