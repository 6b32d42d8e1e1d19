import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceFoundationModule } from '@pbx2fa/platform';
import { AccountModule } from './account/account.module';
import { AuditModule } from './audit/audit.module';
import { CommonModule } from './common/common.module';
import { AUTH_CONFIG, type AuthConfig } from './config';
import { authEntities } from './entities';
import { EnrollmentModule } from './enrollment/enrollment.module';
import { GatewayModule } from './gateway/gateway.module';
import { ServiceClientsModule } from './common/service-clients';
import { LoginModule } from './login/login.module';
import { NotificationsModule } from './notifications/notifications.module';
import { authMigrations } from './migrations';
import { PagesModule } from './pages/pages.module';
import { PasskeysModule } from './passkeys/passkeys.module';
import { RememberedDevicesModule } from './remembered-devices/remembered-devices.module';
import { authRetentionRules } from './retention';
import { ResellerPolicyModule } from './reseller-policy/reseller-policy.module';
import { ResellerUsersModule } from './reseller-users/reseller-users.module';
import { SignInLimitsModule } from './sign-in-limits/sign-in-limits.module';
import { SessionsModule } from './sessions/sessions.module';
import { SsoModule } from './sso/sso.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static register(config: AuthConfig): DynamicModule {
    const configProvider = { provide: AUTH_CONFIG, useValue: config };
    return {
      module: AppModule,
      global: true,
      imports: [
        ServiceFoundationModule.register({
          service: 'auth',
          config,
          entities: authEntities,
          migrations: authMigrations,
          retention: authRetentionRules(config),
        }),
        ServiceClientsModule,
        CommonModule,
        AuditModule,
        SessionsModule,
        UsersModule,
        SignInLimitsModule,
        LoginModule,
        AccountModule,
        ResellerPolicyModule,
        GatewayModule,
        ResellerUsersModule,
        EnrollmentModule,
        PasskeysModule,
        RememberedDevicesModule,
        SsoModule,
        PagesModule,
        NotificationsModule,
      ],
      providers: [configProvider],
      exports: [configProvider],
    };
  }
}
