import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { brokerUserOf, serviceUsersOf, type CommonEnv } from '@pbx2fa/config';
import {
  InboxEntry,
  MessagingModule,
  messagingRetentionRules,
  OutboxMessage,
  type ServiceName,
} from '@pbx2fa/messaging';
import { PersistenceModule, RetentionSweeper, ServiceSchemas, type RetentionRule } from '@pbx2fa/persistence';
import { DataSource, type MigrationInterface } from 'typeorm';
import { HealthModule } from './health.module';
import { loggingModule } from './logging';
import { MetricsModule } from './metrics';

export interface ServiceFoundationOptions {
  /** Names the service, and so its PostgreSQL schema (`ServiceSchemas`), which its own role owns. */
  service: ServiceName;
  config: CommonEnv;
  entities: Type<object>[];
  migrations: Type<MigrationInterface>[];
  /** The service's own tables' rows past retention; the inbox and outbox are always swept. */
  retention?: RetentionRule[];
}

/** What every service stands on: its own schema, the outbox/inbox messaging, retention, and /health. */
@Module({})
export class ServiceFoundationModule {
  static register({ service, config, entities, migrations, retention = [] }: ServiceFoundationOptions): DynamicModule {
    return {
      module: ServiceFoundationModule,
      providers: [
        {
          provide: RetentionSweeper,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new RetentionSweeper(dataSource, {
              rules: [
                ...retention,
                ...messagingRetentionRules({
                  inboxDays: config.INBOX_RETENTION_DAYS,
                  outboxDays: config.OUTBOX_RETENTION_DAYS,
                }),
              ],
              intervalMs: config.RETENTION_INTERVAL_SECONDS * 1000,
              batchSize: config.RETENTION_BATCH_SIZE,
            }),
        },
      ],
      imports: [
        loggingModule(service, config.LOG_LEVEL),
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema: ServiceSchemas[service],
            entities: [...entities, OutboxMessage, InboxEntry],
            migrations,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            service,
            rabbitmqUrls: config.RABBITMQ_URL,
            brokerUser: brokerUserOf(config.RABBITMQ_URL[0]),
            serviceUsers: serviceUsersOf(config),
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
