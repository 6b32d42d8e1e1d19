import type { EventPayloads } from './event-schemas';

/** The one topic exchange every event travels through; the routing key is the event name. */
export const EVENTS_EXCHANGE = 'pbx2fa.events';
/** Where consumers' queues send what they cannot handle; routed by the queue's own name. */
export const DEAD_LETTER_EXCHANGE = 'pbx2fa.dead-letters';

export const Events = {
  ResellerCreated: 'reseller.created',
  TicketTwoFactorApproved: 'ticket.two_factor.approved',
  ResellerTwoFactorChanged: 'reseller.two_factor.changed',
  TicketUserTwoFactorResetApproved: 'ticket.user_two_factor_reset.approved',
  UserTwoFactorReset: 'user.two_factor.reset',
} as const;
export type EventName = (typeof Events)[keyof typeof Events];

/** The three services; each connects to RabbitMQ as its own user (README, "RabbitMQ users"). */
export const Services = ['auth', 'tickets', 'reseller-settings'] as const;
export type ServiceName = (typeof Services)[number];

/**
 * The one service allowed to publish each event. Consumers refuse a message whose broker-validated
 * `user_id` is not that service's user: holding some account on the broker is not enough to
 * turn a reseller's 2FA off or wipe someone's authenticator.
 */
export const EventPublishers: Record<EventName, ServiceName> = {
  [Events.ResellerCreated]: 'reseller-settings',
  [Events.TicketTwoFactorApproved]: 'tickets',
  [Events.ResellerTwoFactorChanged]: 'reseller-settings',
  [Events.TicketUserTwoFactorResetApproved]: 'tickets',
  [Events.UserTwoFactorReset]: 'auth',
};

/** What an approved 2FA ticket asks of its reseller: `enable_2fa`, `require_2fa`, `disable_2fa`. */
export const TwoFactorActions = ['enable', 'require', 'disable'] as const;
export type TwoFactorAction = (typeof TwoFactorActions)[number];

/**
 * What travels on the wire, inside Nest's `{ pattern, data }` packet: `data` is this envelope.
 * The same id, time and correlation id are also set as AMQP message properties.
 */
export interface EventEnvelope<N extends EventName = EventName> {
  eventId: string;
  name: N;
  occurredAt: string;
  correlationId: string;
  payload: EventPayloads[N];
}
