import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { HealthModule } from '@pbx2fa/http';
import { MessagingModule } from '@pbx2fa/messaging';
import { PersistenceModule } from '@pbx2fa/persistence';
import { AccountModule } from './account/account.module';
import { AuditModule } from './audit/audit.module';
import { CommonModule } from './common/common.module';
import { correlationIdMiddleware } from './common/correlation-id';
import { AUTH_CONFIG, type AuthConfig } from './config';
import { authEntities } from './entities';
import { EnrollmentModule } from './enrollment/enrollment.module';
import { GatewayModule } from './gateway/gateway.module';
import { ServiceClientsModule } from './gateway/service-clients';
import { LoginModule } from './login/login.module';
import { authMigrations } from './migrations';
import { ResellerPolicyModule } from './reseller-policy/reseller-policy.module';
import { SessionsModule } from './sessions/sessions.module';
import { SsoModule } from './sso/sso.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule implements NestModule {
  static register(config: AuthConfig): DynamicModule {
    const configProvider = { provide: AUTH_CONFIG, useValue: config };
    return {
      module: AppModule,
      global: true,
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema: 'auth',
            entities: authEntities,
            migrations: authMigrations,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            service: 'auth' as const,
            rabbitmqUrl: config.RABBITMQ_URL,
            queueType: config.RABBITMQ_QUEUE_TYPE,
            rpcTimeoutMs: config.RPC_TIMEOUT_MS,
            outboxPollMs: config.OUTBOX_POLL_MS,
            consumerMaxAttempts: config.CONSUMER_MAX_ATTEMPTS,
          }),
        }),
        ServiceClientsModule,
        CommonModule,
        AuditModule,
        HealthModule,
        SessionsModule,
        UsersModule,
        LoginModule,
        AccountModule,
        ResellerPolicyModule,
        GatewayModule,
        EnrollmentModule,
        SsoModule,
      ],
      providers: [configProvider],
      exports: [configProvider],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationIdMiddleware).forRoutes('*');
  }
}
