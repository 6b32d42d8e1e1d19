import { Module, type DynamicModule } from '@nestjs/common';
import type { CommonEnv } from '@pbx2fa/config';
import { InboxEntry, MessagingModule, OutboxMessage, type ServiceName } from '@pbx2fa/messaging';
import { PersistenceModule } from '@pbx2fa/persistence';
import type { MixedList } from 'typeorm';
import { HealthModule } from './health.module';
import { loggingModule } from './logging';
import { MetricsModule } from './metrics';

export interface ServiceFoundationOptions {
  service: ServiceName;
  /** The PostgreSQL schema the service owns. */
  schema: string;
  config: CommonEnv;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
}

/** What every service stands on: its own schema, the outbox/inbox messaging, and /health. */
@Module({})
export class ServiceFoundationModule {
  static register({ service, schema, config, entities, migrations }: ServiceFoundationOptions): DynamicModule {
    return {
      module: ServiceFoundationModule,
      imports: [
        loggingModule(service, config.LOG_LEVEL),
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema,
            entities: [...(entities as Function[]), OutboxMessage, InboxEntry],
            migrations,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            service,
            rabbitmqUrls: config.RABBITMQ_URL,
            queueType: config.RABBITMQ_QUEUE_TYPE,
            rpcTimeoutMs: config.RPC_TIMEOUT_MS,
            outboxPollMs: config.OUTBOX_POLL_MS,
            consumerMaxAttempts: config.CONSUMER_MAX_ATTEMPTS,
          }),
        }),
        HealthModule,
        MetricsModule,
      ],
      exports: [PersistenceModule, MessagingModule],
    };
  }
}
