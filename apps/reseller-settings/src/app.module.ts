import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceFoundationModule } from '@pbx2fa/platform';
import type { ResellerSettingsConfig } from './config';
import { resellerSettingsMigrations } from './migrations';
import { Reseller } from './resellers/reseller.entity';
import { ResellersModule } from './resellers/resellers.module';

@Module({})
export class AppModule {
  static register(config: ResellerSettingsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceFoundationModule.register({
          service: 'reseller-settings',
          config,
          entities: [Reseller],
          migrations: resellerSettingsMigrations,
        }),
        ResellersModule,
      ],
    };
  }
}
