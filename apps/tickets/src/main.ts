import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { exitOnConfigError } from '@pbx2fa/config';
import { ErrorBodyFilter } from '@pbx2fa/http';
import { startMessaging } from '@pbx2fa/messaging';
import { AppModule } from './app.module';
import { loadTicketsConfig } from './config';

async function bootstrap() {
  const config = loadTicketsConfig();
  const app = await NestFactory.create(AppModule.register(config));
  app.useGlobalFilters(new ErrorBodyFilter());
  app.enableShutdownHooks();
  await startMessaging(app, { rpc: true });
  await app.listen(config.PORT);
}

bootstrap().catch(exitOnConfigError);
