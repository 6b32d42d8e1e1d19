import type { Channel, ConfirmChannel } from 'amqplib';
import { DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, Events, type EventName } from '@pbx2fa/contracts';

export type ServiceName = 'auth' | 'tickets' | 'reseller-settings';
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

/**
 * Declares the exchange, every consumer queue with its bindings and its dead-letter queue.
 * Idempotent; called by consumers before they consume and by producers before they publish,
 * so an event is never dropped because its queue did not exist yet.
 */
export async function declareTopology(channel: Channel | ConfirmChannel, queueType: QueueType): Promise<void> {
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
  for (const [service, events] of Object.entries(Subscriptions) as [ServiceName, readonly EventName[]][]) {
    const queue = eventQueueName(service);
    await channel.assertQueue(queue, eventQueueOptions(service, queueType));
    for (const event of events) await channel.bindQueue(queue, EVENTS_EXCHANGE, event);
    const deadLetters = deadLetterQueueName(service);
    await channel.assertQueue(deadLetters, { durable: true, arguments: { 'x-queue-type': queueType } });
    await channel.bindQueue(deadLetters, DEAD_LETTER_EXCHANGE, queue);
  }
}
