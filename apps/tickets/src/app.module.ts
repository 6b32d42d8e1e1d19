import { Module } from '@nestjs/common';
import { HealthModule } from '@pbx2fa/http';
import { InboxEntry, MessagingModule, OutboxMessage } from '@pbx2fa/messaging';
import { PersistenceModule } from '@pbx2fa/persistence';
import { TICKETS_CONFIG, type TicketsConfig } from './config';
import { ticketsMigrations } from './migrations';
import { TicketComment } from './tickets/ticket-comment.entity';
import { TicketHistoryEntry } from './tickets/ticket-history-entry.entity';
import { Ticket } from './tickets/ticket.entity';
import { TicketsModule } from './tickets/tickets.module';

@Module({})
export class AppModule {
  static register(config: TicketsConfig) {
    const configProvider = { provide: TICKETS_CONFIG, useValue: config };
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: config.DATABASE_URL,
            schema: 'tickets',
            entities: [Ticket, TicketComment, TicketHistoryEntry, OutboxMessage, InboxEntry],
            migrations: ticketsMigrations,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            service: 'tickets' as const,
            rabbitmqUrl: config.RABBITMQ_URL,
            queueType: config.RABBITMQ_QUEUE_TYPE,
            rpcTimeoutMs: config.RPC_TIMEOUT_MS,
            outboxPollMs: config.OUTBOX_POLL_MS,
            consumerMaxAttempts: config.CONSUMER_MAX_ATTEMPTS,
          }),
        }),
        HealthModule,
        TicketsModule,
      ],
      providers: [configProvider],
      exports: [configProvider],
    };
  }
}
