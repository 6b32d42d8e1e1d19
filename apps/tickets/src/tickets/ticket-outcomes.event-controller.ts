import { Controller } from '@nestjs/common';
import { Ctx, Payload, RmqContext } from '@nestjs/microservices';
import { Events } from '@pbx2fa/contracts';
import { EventInbox, OnEvent } from '@pbx2fa/messaging';
import { TicketDecisionsService } from './ticket-decisions.service';

/** Other services report that what an approved ticket asked for has taken effect. */
@Controller()
export class TicketOutcomesEventController {
  constructor(
    private readonly inbox: EventInbox,
    private readonly decisions: TicketDecisionsService,
  ) {}

  @OnEvent(Events.ResellerTwoFactorChanged)
  resellerTwoFactorChanged(@Payload() data: unknown, @Ctx() context: RmqContext) {
    return this.inbox.consume(Events.ResellerTwoFactorChanged, data, context, (manager, event) =>
      this.decisions.resolveResellerChange(manager, event.payload),
    );
  }

  @OnEvent(Events.UserTwoFactorReset)
  userTwoFactorReset(@Payload() data: unknown, @Ctx() context: RmqContext) {
    return this.inbox.consume(Events.UserTwoFactorReset, data, context, (manager, event) =>
      this.decisions.resolveUserReset(manager, event.payload),
    );
  }
}
