import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { exitOnConfigError } from '@pbx2fa/config';
import { ErrorBodyFilter, jsonObjectOnly, strictValidationPipe } from '@pbx2fa/http';
import { startMessaging } from '@pbx2fa/messaging';
import { AppModule } from './app.module';
import { loadAuthConfig } from './config';

async function bootstrap() {
  const config = loadAuthConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), { bodyParser: false });
  const logger = new Logger('Auth');
  if (config.usingDevelopmentSecrets.jwt) logger.warn('JWT_SECRET is not set: using the DEVELOPMENT signing key. Never do this in production.');
  if (config.usingDevelopmentSecrets.totp) {
    logger.warn('TOTP_ENCRYPTION_KEY is not set: using the DEVELOPMENT encryption key. Never do this in production.');
  }
  app.set('trust proxy', config.TRUST_PROXY);
  app.useBodyParser('json', { limit: config.BODY_LIMIT, strict: false });
  app.use(jsonObjectOnly);
  app.useGlobalFilters(new ErrorBodyFilter());
  app.useGlobalPipes(strictValidationPipe());
  app.enableShutdownHooks();
  await startMessaging(app, { rpc: false });
  await app.listen(config.PORT);
}

bootstrap().catch(exitOnConfigError);
