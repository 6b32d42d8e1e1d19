import { Module } from '@nestjs/common';
import { ApprovalSequenceRepository } from './approval-sequence.repository';
import { TicketActivityRepository } from './ticket-activity.repository';
import { TicketAssignmentService } from './ticket-assignment.service';
import { TicketDecisionsService } from './ticket-decisions.service';
import { TicketOutcomesEventController } from './ticket-outcomes.event-controller';
import { TicketRepository } from './ticket.repository';
import { TicketsRpcController } from './tickets.rpc-controller';
import { TicketsService } from './tickets.service';

@Module({
  controllers: [TicketsRpcController, TicketOutcomesEventController],
  providers: [
    ApprovalSequenceRepository,
    TicketRepository,
    TicketActivityRepository,
    TicketsService,
    TicketDecisionsService,
    TicketAssignmentService,
  ],
})
export class TicketsModule {}
