import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { exitOnConfigError, type CommonEnv } from '@pbx2fa/config';
import { startMessaging } from '@pbx2fa/messaging';
import { ErrorBodyFilter } from './error-body.filter';
import { startManagementServer } from './management-server';
import { httpMetricsMiddleware } from './metrics';
import type { Server } from 'node:http';

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
    options.configure?.(app, config);
    // HTTP first: /health answers (and the gateway signs people in) while the broker is still away;
    // the RabbitMQ servers connect as soon as it is reachable.
    await app.listen(config.PORT);
    const management = await startManagementServer(app, config.MANAGEMENT_PORT);
    stopGracefullyOnSignals(app, management);
    await startMessaging(app, { rpc: options.rpc });
  };
  start().catch(exitOnConfigError);
}

const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * On SIGTERM or SIGINT: stop taking work, let in-flight requests finish, close the broker and
 * database connections, exit 0. Nest's own shutdown hooks re-raise the signal (exit 143), and an
 * orchestrator reads that as a crash.
 */
function stopGracefullyOnSignals(app: NestExpressApplication, management: Server): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const logger = app.get(Logger);
    logger.log(`${signal} received: finishing in-flight work and stopping`);
    setTimeout(() => {
      logger.error(`still stopping after ${SHUTDOWN_DEADLINE_MS} ms: exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    management.close();
    app
      .close()
      .then(() => process.exit(0))
      .catch((error: Error) => {
        logger.error(`shutdown failed: ${error.message}`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
