import { Controller } from '@nestjs/common';
import { Ctx, Payload, RmqContext } from '@nestjs/microservices';
import { Events, modeOf } from '@pbx2fa/contracts';
import { EventInbox, OnEvent } from '@pbx2fa/messaging';
import { observeEnforcement } from './enforcement-delay';
import { ResellerPolicyRepository } from './reseller-policy.repository';

@Controller()
export class ResellerEventsController {
  constructor(
    private readonly inbox: EventInbox,
    private readonly policies: ResellerPolicyRepository,
  ) {}

  @OnEvent(Events.ResellerCreated)
  created(@Payload() data: unknown, @Ctx() context: RmqContext) {
    return this.inbox.consume(Events.ResellerCreated, data, context, (manager, event) =>
      this.policies.recordExisting(manager, event.payload.resellerId, event.payload.name),
    );
  }

  @OnEvent(Events.ResellerTwoFactorChanged)
  twoFactorChanged(@Payload() data: unknown, @Ctx() context: RmqContext) {
    return this.inbox.consume(Events.ResellerTwoFactorChanged, data, context, async (manager, event) => {
      const changed = await this.policies.applyIfNewer(
        {
          resellerId: event.payload.resellerId,
          mode: modeOf(event.payload),
          enrollBy: event.payload.enrollBy ? new Date(event.payload.enrollBy) : null,
          rememberDeviceDays: event.payload.rememberDeviceDays,
          version: event.payload.version,
        },
        manager,
      );
      // Before the commit: a transaction that fails and is tried again may count it twice, which is rare and harmless.
      if (changed) observeEnforcement(event);
    });
  }
}
