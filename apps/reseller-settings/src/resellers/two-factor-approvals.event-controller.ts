import { Controller } from '@nestjs/common';
import { Ctx, Payload, RmqContext } from '@nestjs/microservices';
import { Events } from '@pbx2fa/contracts';
import { EventInbox, OnEvent, oncePerTicket } from '@pbx2fa/messaging';
import { ResellersService } from './resellers.service';

@Controller()
export class TwoFactorApprovalsEventController {
  constructor(
    private readonly inbox: EventInbox,
    private readonly resellers: ResellersService,
  ) {}

  @OnEvent(Events.TicketTwoFactorApproved)
  approved(@Payload() data: unknown, @Ctx() context: RmqContext) {
    return this.inbox.consume(
      Events.TicketTwoFactorApproved,
      data,
      context,
      (manager, event) => this.resellers.applyApproval(manager, event.payload, event.correlationId),
      // One approval moves the version once, whatever event id it arrives under.
      oncePerTicket,
    );
  }
}
