import {
  DEAD_LETTER_EXCHANGE,
  EVENTS_EXCHANGE,
  EventPublishers,
  type EventName,
  type ServiceName,
} from '@pbx2fa/contracts';
import { deadLetterQueueName, eventQueueName, GATEWAY, rpcQueueName, RpcServices, Subscriptions } from './topology';

/**
 * What each service's own RabbitMQ user may do, as `rabbitmqctl set_permissions` and
 * `set_topic_permissions` take it: regular expressions over resource names and routing keys.
 * Derived from the topology, so a new event or queue cannot be forgotten here.
 */
export interface BrokerPermissions {
  configure: string;
  write: string;
  read: string;
  /** On the events exchange: the routing keys it may publish (write) and bind its queue to (read). */
  topic: { exchange: string; write: string; read: string };
}

/** The default exchange, as permissions name it: requests to a service's queue and replies go through it. */
const DEFAULT_EXCHANGE = 'amq.default';

const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (names: readonly string[]) => `^(${names.map(escape).join('|')})$`;

/** The queues a service consumes and may declare: its event queue, its dead letters, its request queue. */
export function ownQueues(service: ServiceName): string[] {
  return [
    eventQueueName(service),
    deadLetterQueueName(service),
    ...(RpcServices.includes(service) ? [rpcQueueName(service)] : []),
  ];
}

export function publishedBy(service: ServiceName): EventName[] {
  return (Object.keys(EventPublishers) as EventName[]).filter((event) => EventPublishers[event] === service);
}

/**
 * Least privilege for one service:
 * - configure (declare, delete): its own queues only — never the exchanges, never another's queue;
 * - write: its own queues (binding needs it), the events exchange (publishing), the dead-letter
 *   exchange (declaring a queue that dead-letters into it needs it), and the default exchange for
 *   the gateway and the services it calls (requests and direct reply-to answers travel through it);
 * - read: its own queues, and the two exchanges as binding sources;
 * - topic: publish only the events the contract says it publishes, bind only to those it consumes.
 * Writing through the default or dead-letter exchange can still reach another queue; what stops a
 * forgery there is the `user_id` the broker validates and every consumer checks (EventInbox).
 */
export function brokerPermissions(service: ServiceName): BrokerPermissions {
  const queues = ownQueues(service);
  const talksRpc = service === GATEWAY || RpcServices.includes(service);
  const exchanges = [EVENTS_EXCHANGE, DEAD_LETTER_EXCHANGE];
  return {
    configure: exactly(queues),
    write: exactly([...queues, ...exchanges, ...(talksRpc ? [DEFAULT_EXCHANGE] : [])]),
    read: exactly([...queues, ...exchanges]),
    topic: { exchange: EVENTS_EXCHANGE, write: exactly(publishedBy(service)), read: exactly(Subscriptions[service]) },
  };
}
