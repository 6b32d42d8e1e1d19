import { runService } from '@pbx2fa/platform';
import { AppModule } from './app.module';
import { loadTicketsConfig } from './config';

runService({ loadConfig: loadTicketsConfig, appModule: (config) => AppModule.register(config), rpc: true });
