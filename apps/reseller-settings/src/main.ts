import { runService } from '@pbx2fa/platform';
import { AppModule } from './app.module';
import { loadResellerSettingsConfig } from './config';

runService({ loadConfig: loadResellerSettingsConfig, appModule: (config) => AppModule.register(config), rpc: true });
