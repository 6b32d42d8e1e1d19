import type { QueueType, ServiceName } from './topology';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  service: ServiceName;
  /** The broker's nodes, tried in turn: the next one whenever a connection fails or drops. */
  rabbitmqUrls: string[];
  /** The user those URLs connect as: the `user_id` of everything this service publishes. */
  brokerUser: string;
  /** Every service's user, to check who published what arrives (the contract names the publisher). */
  serviceUsers: Record<ServiceName, string>;
  queueType: QueueType;
  rpcTimeoutMs: number;
  outboxPollMs: number;
  /** Tries a consumer gives one event before it goes to the dead-letter queue. */
  consumerMaxAttempts: number;
}

/**
 * Which part of the topology this service declares: all of it while every service shares one user
 * (development), else only its own queues — its user may touch nothing else (topology.ts).
 */
export function declaredByService(options: MessagingOptions): ServiceName | undefined {
  return new Set(Object.values(options.serviceUsers)).size === 1 ? undefined : options.service;
}
