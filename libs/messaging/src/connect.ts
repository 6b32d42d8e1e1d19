import type { INestApplication } from '@nestjs/common';
import { EventServer } from './event-server';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { RpcServer } from './rpc-server';

/** Attaches the service's RabbitMQ servers: its event queue, and its RPC queue when it serves requests. */
export async function startMessaging(app: INestApplication, { rpc }: { rpc: boolean }): Promise<void> {
  const options = app.get<MessagingOptions>(MESSAGING_OPTIONS);
  app.connectMicroservice({ strategy: new EventServer(options) }, { inheritAppConfig: true });
  if (rpc) app.connectMicroservice({ strategy: new RpcServer(options) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
}
