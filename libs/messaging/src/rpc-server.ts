import type { MessagingOptions } from './messaging.options';
import { SafeServerRMQ } from './safe-server-rmq';
import { RPC_TRANSPORT } from './transports';

export const rpcQueueName = (service: string) => `${service}.rpc`;

/**
 * Answers the gateway's requests. Requests expire in the queue when the gateway stops waiting,
 * so a service that was down never acts on a request nobody is waiting for.
 */
export class RpcServer extends SafeServerRMQ {
  constructor(messaging: MessagingOptions) {
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
}
