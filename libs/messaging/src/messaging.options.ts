import type { QueueType, ServiceName } from './topology';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  service: ServiceName;
  /** The broker's nodes, tried in turn: the next one whenever a connection fails or drops. */
  rabbitmqUrls: string[];
  queueType: QueueType;
  rpcTimeoutMs: number;
  outboxPollMs: number;
  /** Tries a consumer gives one event before it goes to the dead-letter queue. */
  consumerMaxAttempts: number;
}
