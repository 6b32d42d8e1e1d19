import { Module } from '@nestjs/common';
import { HealthModule } from '@pbx2fa/http';
import { InboxEntry, MessagingModule, OutboxMessage } from '@pbx2fa/messaging';
import { PersistenceModule } from '@pbx2fa/persistence';
import { RESELLER_SETTINGS_CONFIG, type ResellerSettingsConfig } from './config';
import { resellerSettingsMigrations } from './migrations';
import { Reseller } from './resellers/reseller.entity';
import { ResellersModule } from './resellers/resellers.module';

@Module({})
export class AppModule {
  static register(config: ResellerSettingsConfig) {
    const configProvider = { provide: RESELLER_SETTINGS_CONFIG, useValue: config };
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema: 'reseller_settings',
            entities: [Reseller, OutboxMessage, InboxEntry],
            migrations: resellerSettingsMigrations,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            service: 'reseller-settings' as const,
            rabbitmqUrl: config.RABBITMQ_URL,
            queueType: config.RABBITMQ_QUEUE_TYPE,
            rpcTimeoutMs: config.RPC_TIMEOUT_MS,
            outboxPollMs: config.OUTBOX_POLL_MS,
            consumerMaxAttempts: config.CONSUMER_MAX_ATTEMPTS,
          }),
        }),
        HealthModule,
        ResellersModule,
      ],
      providers: [configProvider],
      exports: [configProvider],
    };
  }
}
