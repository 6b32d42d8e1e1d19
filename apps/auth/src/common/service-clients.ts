import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ResellerRpcPattern, TicketRpcPattern } from '@pbx2fa/contracts';
import { MESSAGING_OPTIONS, RpcClient, type MessagingOptions } from '@pbx2fa/messaging';

export const TICKETS_CLIENT = Symbol('TICKETS_CLIENT');
export const RESELLER_SETTINGS_CLIENT = Symbol('RESELLER_SETTINGS_CLIENT');
export type TicketsClient = RpcClient<TicketRpcPattern>;
export type ResellerSettingsClient = RpcClient<ResellerRpcPattern>;

class ClientsShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(TICKETS_CLIENT) private readonly tickets: TicketsClient,
    @Inject(RESELLER_SETTINGS_CLIENT) private readonly resellerSettings: ResellerSettingsClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.tickets.close(), this.resellerSettings.close()]);
  }
}

/** Request/response clients for the two services behind the gateway. */
@Module({
  providers: [
    {
      provide: TICKETS_CLIENT,
      inject: [MESSAGING_OPTIONS],
      useFactory: (options: MessagingOptions) => new RpcClient<TicketRpcPattern>('tickets', 'ticket service', options),
    },
    {
      provide: RESELLER_SETTINGS_CLIENT,
      inject: [MESSAGING_OPTIONS],
      useFactory: (options: MessagingOptions) =>
        new RpcClient<ResellerRpcPattern>('reseller-settings', 'reseller settings service', options),
    },
    ClientsShutdown,
  ],
  exports: [TICKETS_CLIENT, RESELLER_SETTINGS_CLIENT],
})
export class ServiceClientsModule {}
