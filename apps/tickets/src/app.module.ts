import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceFoundationModule } from '@pbx2fa/platform';
import type { TicketsConfig } from './config';
import { ticketsMigrations } from './migrations';
import { TicketComment } from './tickets/ticket-comment.entity';
import { TicketHistoryEntry } from './tickets/ticket-history-entry.entity';
import { Ticket } from './tickets/ticket.entity';
import { TicketsModule } from './tickets/tickets.module';

@Module({})
export class AppModule {
  static register(config: TicketsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceFoundationModule.register({
          service: 'tickets',
          config,
          entities: [Ticket, TicketComment, TicketHistoryEntry],
          migrations: ticketsMigrations,
        }),
        TicketsModule,
      ],
    };
  }
}
