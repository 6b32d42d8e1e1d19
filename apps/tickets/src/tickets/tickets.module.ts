import { Module } from '@nestjs/common';
import { TicketActivityRepository } from './ticket-activity.repository';
import { TicketDecisionsService } from './ticket-decisions.service';
import { TicketOutcomesEventController } from './ticket-outcomes.event-controller';
import { TicketRepository } from './ticket.repository';
import { TicketsRpcController } from './tickets.rpc-controller';
import { TicketsService } from './tickets.service';

@Module({
  controllers: [TicketsRpcController, TicketOutcomesEventController],
  providers: [TicketRepository, TicketActivityRepository, TicketsService, TicketDecisionsService],
})
export class TicketsModule {}
