import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { exitOnConfigError, type CommonEnv } from '@pbx2fa/config';
import { startMessaging } from '@pbx2fa/messaging';
import { ErrorBodyFilter } from './error-body.filter';
import { httpMetricsMiddleware } from './metrics';

export interface RunServiceOptions<C extends CommonEnv> {
  loadConfig: () => C;
  appModule: (config: C) => DynamicModule;
  /** Whether the service answers the gateway's requests over RabbitMQ. */
  rpc: boolean;
  /** Service-specific HTTP set-up (body parsing, pipes, warnings) before it listens. */
  configure?: (app: NestExpressApplication, config: C) => void;
}

/** Starts a service: config checked first (one clear line on error), then modules, broker, HTTP. */
export function runService<C extends CommonEnv>(options: RunServiceOptions<C>): void {
  const start = async () => {
    const config = options.loadConfig();
    const app = await NestFactory.create<NestExpressApplication>(options.appModule(config), {
      bodyParser: !options.configure,
      bufferLogs: true,
    });
    app.useLogger(app.get(Logger));
    app.flushLogs();
    app.use(httpMetricsMiddleware);
    app.useGlobalFilters(new ErrorBodyFilter());
    app.enableShutdownHooks();
    options.configure?.(app, config);
    // HTTP first: /health answers (and the gateway signs people in) while the broker is still away;
    // the RabbitMQ servers connect as soon as it is reachable.
    await app.listen(config.PORT);
    await startMessaging(app, { rpc: options.rpc });
  };
  start().catch(exitOnConfigError);
}
