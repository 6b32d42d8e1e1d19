import { DynamicModule, Global, Module, type FactoryProvider } from '@nestjs/common';
import { BrokerPublisher } from './broker-publisher';
import { ConsumerStatus } from './consumer-status';
import { EventInbox } from './event-inbox';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox.writer';

export interface MessagingModuleOptions extends Pick<FactoryProvider<MessagingOptions>, 'inject' | 'useFactory'> {
  imports?: DynamicModule['imports'];
}

/** Outbox, relay and inbox for one service; needs the service's TypeORM DataSource. */
@Global()
@Module({})
export class MessagingModule {
  static forRootAsync(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: options.imports,
      providers: [
        { provide: MESSAGING_OPTIONS, inject: options.inject, useFactory: options.useFactory },
        OutboxWriter,
        BrokerPublisher,
        OutboxRelay,
        EventInbox,
        ConsumerStatus,
      ],
      exports: [MESSAGING_OPTIONS, OutboxWriter, BrokerPublisher, OutboxRelay, EventInbox, ConsumerStatus],
    };
  }
}
