import { Controller } from '@nestjs/common';
import { Ctx, Payload, RmqContext } from '@nestjs/microservices';
import { Events } from '@pbx2fa/contracts';
import { EventInbox, OnEvent, oncePerTicket } from '@pbx2fa/messaging';
import { TwoFactorResetService } from './two-factor-reset.service';

@Controller()
export class TwoFactorResetEventController {
  constructor(
    private readonly inbox: EventInbox,
    private readonly reset: TwoFactorResetService,
  ) {}

  @OnEvent(Events.TicketUserTwoFactorResetApproved)
  approved(@Payload() data: unknown, @Ctx() context: RmqContext) {
    return this.inbox.consume(
      Events.TicketUserTwoFactorResetApproved,
      data,
      context,
      (manager, event) => this.reset.resetByTicket(manager, event.payload, event.correlationId),
      // A second reset for the same ticket would wipe the authenticator enrolled since.
      oncePerTicket,
    );
  }
}
