import type { TwoFactorMode } from './resellers';

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

export interface ResellerCreatedPayload {
  resellerId: string;
  name: string;
}

/** What an approved 2FA ticket asks of its reseller: `enable_2fa`, `require_2fa`, `disable_2fa`. */
export const TwoFactorActions = ['enable', 'require', 'disable'] as const;
export type TwoFactorAction = (typeof TwoFactorActions)[number];

export interface TicketTwoFactorApprovedPayload {
  ticketId: string;
  resellerId: string;
  action: TwoFactorAction;
  /** Only with `require`: days from the approval until users without a second factor must enroll (0–90). */
  graceDays?: number;
  approvedBy: string;
  approvedAt?: string;
  /**
   * The approval's place among the reseller's approvals (1, 2, 3… as agents made them): an
   * approval older than one already applied changes nothing. Absent only on events published
   * before it existed, which apply in arrival order.
   */
  sequence?: number;
}

export interface ResellerTwoFactorChangedPayload {
  resellerId: string;
  enabled: boolean;
  /** Absent on events from before modes existed: read them with `modeOf` (enabled → optional). */
  mode?: TwoFactorMode;
  /** In `required` mode, the ISO time from which users without a factor must enroll; null otherwise. */
  enrollBy?: string | null;
  rememberDeviceDays?: number;
  version: number;
  sourceTicketId: string | null;
  /** When the agent approved the ticket that caused it (absent when that approval carried no time). */
  approvedAt?: string;
}

export interface TicketUserTwoFactorResetApprovedPayload {
  ticketId: string;
  resellerId: string;
  targetUsername: string;
  approvedBy: string;
}

export interface UserTwoFactorResetPayload {
  ticketId: string;
  resellerId: string;
  username: string;
}

export interface EventPayloads {
  [Events.ResellerCreated]: ResellerCreatedPayload;
  [Events.TicketTwoFactorApproved]: TicketTwoFactorApprovedPayload;
  [Events.ResellerTwoFactorChanged]: ResellerTwoFactorChangedPayload;
  [Events.TicketUserTwoFactorResetApproved]: TicketUserTwoFactorResetApprovedPayload;
  [Events.UserTwoFactorReset]: UserTwoFactorResetPayload;
}

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
