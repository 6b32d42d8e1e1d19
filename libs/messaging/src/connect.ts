import type { INestApplication } from '@nestjs/common';
import { ConsumerStatus } from './consumer-status';
import { EventServer } from './event-server';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { RpcServer } from './rpc-server';

/** Attaches the service's RabbitMQ servers: its event queue, and its RPC queue when it serves requests. */
export async function startMessaging(app: INestApplication, { rpc }: { rpc: boolean }): Promise<void> {
  const options = app.get<MessagingOptions>(MESSAGING_OPTIONS);
  const servers = [new EventServer(options), ...(rpc ? [new RpcServer(options)] : [])];
  app.get(ConsumerStatus).track(servers);
  for (const strategy of servers) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  await app.startAllMicroservices();
}
