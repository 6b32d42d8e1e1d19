import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { MESSAGING_OPTIONS, RpcClient, type MessagingOptions } from '@pbx2fa/messaging';

export const TICKETS_CLIENT = Symbol('TICKETS_CLIENT');
export const RESELLER_SETTINGS_CLIENT = Symbol('RESELLER_SETTINGS_CLIENT');

class ClientsShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(TICKETS_CLIENT) private readonly tickets: RpcClient,
    @Inject(RESELLER_SETTINGS_CLIENT) private readonly resellerSettings: RpcClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.tickets.close(), this.resellerSettings.close()]);
  }
}

/** Request/response clients for the two services behind the gateway. */
@Global()
@Module({
  providers: [
    {
      provide: TICKETS_CLIENT,
      inject: [MESSAGING_OPTIONS],
      useFactory: (options: MessagingOptions) => new RpcClient('tickets', 'ticket service', options),
    },
    {
      provide: RESELLER_SETTINGS_CLIENT,
      inject: [MESSAGING_OPTIONS],
      useFactory: (options: MessagingOptions) =>
        new RpcClient('reseller-settings', 'reseller settings service', options),
    },
    ClientsShutdown,
  ],
  exports: [TICKETS_CLIENT, RESELLER_SETTINGS_CLIENT],
})
export class ServiceClientsModule {}
