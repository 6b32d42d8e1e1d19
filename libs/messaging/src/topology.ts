import type { Channel, ConfirmChannel } from 'amqplib';
import { DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, Events, type EventName, type ServiceName } from '@pbx2fa/contracts';

export type { ServiceName };
export type QueueType = 'classic' | 'quorum';

/** Which events each consuming service's queue is bound to. Producers declare these too. */
export const Subscriptions: Record<ServiceName, readonly EventName[]> = {
  auth: [Events.ResellerCreated, Events.ResellerTwoFactorChanged, Events.TicketUserTwoFactorResetApproved],
  tickets: [Events.ResellerTwoFactorChanged, Events.UserTwoFactorReset],
  'reseller-settings': [Events.TicketTwoFactorApproved],
};

export const eventQueueName = (service: ServiceName) => `${service}.events`;
export const deadLetterQueueName = (service: ServiceName) => `${service}.events.dead`;

/**
 * One consumer at a time takes from an event queue, whatever the number of replicas; the others
 * stand by and take over when it goes. That consumer takes many messages at once but applies each
 * reseller's strictly in queue order (KeyedLanes, see EventServer), so a reseller's approvals take
 * effect in approval order while different resellers' events are applied side by side.
 */
export function eventQueueOptions(service: ServiceName, queueType: QueueType) {
  return {
    durable: true,
    deadLetterExchange: DEAD_LETTER_EXCHANGE,
    deadLetterRoutingKey: eventQueueName(service),
    arguments: { 'x-queue-type': queueType, 'x-single-active-consumer': true },
  };
}

/** The services that answer the gateway's requests, each on its own queue; the gateway is their only caller. */
export const RpcServices: readonly ServiceName[] = ['tickets', 'reseller-settings'];
export const GATEWAY: ServiceName = 'auth';
export const rpcQueueName = (service: string) => `${service}.rpc`;

/**
 * Declares the exchanges and every consumer's queue with its bindings and dead-letter queue, so an
 * event is never dropped because its queue did not exist yet; idempotent. That is for a user that
 * may declare all of it: the operator, or every service while they share one user (development).
 * With `only`, just that service's own queues and bindings: a service with its own user may touch
 * nothing else, and the operator declares the rest beforehand (README, "RabbitMQ users").
 */
export async function declareTopology(
  channel: Channel | ConfirmChannel,
  queueType: QueueType,
  only?: ServiceName,
): Promise<void> {
  if (!only) {
    await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
    await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
  }
  for (const [service, events] of Object.entries(Subscriptions) as [ServiceName, readonly EventName[]][]) {
    if (only && service !== only) continue;
    const queue = eventQueueName(service);
    await channel.assertQueue(queue, eventQueueOptions(service, queueType));
    for (const event of events) await channel.bindQueue(queue, EVENTS_EXCHANGE, event);
    const deadLetters = deadLetterQueueName(service);
    await channel.assertQueue(deadLetters, { durable: true, arguments: { 'x-queue-type': queueType } });
    await channel.bindQueue(deadLetters, DEAD_LETTER_EXCHANGE, queue);
  }
}
