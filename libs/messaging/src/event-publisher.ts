import { EventPublishers, type EventName, type ServiceName } from '@pbx2fa/contracts';

/**
 * Why an event may not be acted on because of who sent it, or null when its publisher is the one
 * the contract names. `userId` is the message's `user_id`, which the broker validated against the
 * connection's user: a publisher cannot claim to be another.
 */
export function publisherRefusal(
  event: EventName,
  userId: unknown,
  serviceUsers: Record<ServiceName, string>,
): string | null {
  const publisher = EventPublishers[event];
  if (userId === serviceUsers[publisher]) return null;
  const sender = typeof userId === 'string' && userId ? `broker user ${userId}` : 'a message without user_id';
  return `sent by ${sender}, but only ${publisher} (broker user ${serviceUsers[publisher]}) publishes ${event}`;
}
