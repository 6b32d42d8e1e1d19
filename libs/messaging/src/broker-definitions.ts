import { createHash, randomBytes } from 'node:crypto';
import { DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, Services, type ServiceName } from '@pbx2fa/contracts';
import { brokerPermissions } from './broker-permissions';
import { deadLetterQueueName, eventQueueName, eventQueueOptions, Subscriptions, type QueueType } from './topology';

export interface BrokerAccount {
  name: string;
  password: string;
}

export interface BrokerDefinitionsInput {
  vhost: string;
  queueType: QueueType;
  /** The operator's user: administrator, and impersonator so `npm run dead-letters replay` may put messages back as their publisher. */
  admin: BrokerAccount;
  services: Record<ServiceName, BrokerAccount>;
}

/** RabbitMQ's stored form of a password (rabbit_password_hashing_sha256): base64(salt ‖ sha256(salt ‖ password)). */
export function rabbitPasswordHash(password: string, salt: Buffer = randomBytes(4)): string {
  const digest = createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/**
 * A RabbitMQ definitions file (`load_definitions`, or `rabbitmqctl import_definitions`): the
 * operator's user, one user per service with its least privileges (broker-permissions.ts), and the
 * whole topology, so every event queue exists before any service starts. What docker-compose's
 * broker loads at boot.
 */
export function brokerDefinitions({ vhost, queueType, admin, services }: BrokerDefinitionsInput) {
  const user = (account: BrokerAccount, tags: string[]) => ({
    name: account.name,
    password_hash: rabbitPasswordHash(account.password),
    hashing_algorithm: 'rabbit_password_hashing_sha256',
    tags,
    limits: {},
  });
  const queue = (name: string, args: Record<string, unknown>) => ({
    name,
    vhost,
    durable: true,
    auto_delete: false,
    arguments: args,
  });
  const binding = (source: string, destination: string, routingKey: string) => ({
    source,
    vhost,
    destination,
    destination_type: 'queue',
    routing_key: routingKey,
    arguments: {},
  });
  return {
    users: [user(admin, ['administrator', 'impersonator']), ...Services.map((service) => user(services[service], []))],
    vhosts: [{ name: vhost }],
    permissions: [
      { user: admin.name, vhost, configure: '.*', write: '.*', read: '.*' },
      ...Services.map((service) => {
        const { configure, write, read } = brokerPermissions(service);
        return { user: services[service].name, vhost, configure, write, read };
      }),
    ],
    topic_permissions: Services.map((service) => {
      const { topic } = brokerPermissions(service);
      return { user: services[service].name, vhost, ...topic };
    }),
    exchanges: [
      {
        name: EVENTS_EXCHANGE,
        vhost,
        type: 'topic',
        durable: true,
        auto_delete: false,
        internal: false,
        arguments: {},
      },
      {
        name: DEAD_LETTER_EXCHANGE,
        vhost,
        type: 'direct',
        durable: true,
        auto_delete: false,
        internal: false,
        arguments: {},
      },
    ],
    queues: Services.flatMap((service) => {
      const options = eventQueueOptions(service, queueType);
      return [
        queue(eventQueueName(service), {
          'x-dead-letter-exchange': options.deadLetterExchange,
          'x-dead-letter-routing-key': options.deadLetterRoutingKey,
          ...options.arguments,
        }),
        queue(deadLetterQueueName(service), { 'x-queue-type': queueType }),
      ];
    }),
    bindings: Services.flatMap((service) => [
      ...Subscriptions[service].map((event) => binding(EVENTS_EXCHANGE, eventQueueName(service), event)),
      binding(DEAD_LETTER_EXCHANGE, deadLetterQueueName(service), eventQueueName(service)),
    ]),
  };
}
