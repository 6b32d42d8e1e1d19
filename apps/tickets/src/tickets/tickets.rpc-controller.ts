import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TicketRpc, type RpcRequestOf } from '@pbx2fa/contracts';
import { answer, OnRpc } from '@pbx2fa/messaging';
import { TicketAssignmentService } from './ticket-assignment.service';
import { TicketDecisionsService } from './ticket-decisions.service';
import { TicketsService } from './tickets.service';

/** The gateway's requests, forwarded as they came; the services check the caller and the body. */
@Controller()
export class TicketsRpcController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly decisions: TicketDecisionsService,
    private readonly assignment: TicketAssignmentService,
  ) {}

  @OnRpc(TicketRpc.Create)
  create(@Payload() request: RpcRequestOf<typeof TicketRpc.Create>) {
    return answer(() => this.tickets.create(request.actor, request.body));
  }

  @OnRpc(TicketRpc.List)
  list(@Payload() request: RpcRequestOf<typeof TicketRpc.List>) {
    return answer(() => this.tickets.list(request.actor, request.body));
  }

  @OnRpc(TicketRpc.Get)
  get(@Payload() request: RpcRequestOf<typeof TicketRpc.Get>) {
    return answer(() => this.tickets.get(request.actor, request.body));
  }

  @OnRpc(TicketRpc.Comment)
  comment(@Payload() request: RpcRequestOf<typeof TicketRpc.Comment>) {
    return answer(() => this.tickets.comment(request.actor, request.body));
  }

  @OnRpc(TicketRpc.Assign)
  assign(@Payload() request: RpcRequestOf<typeof TicketRpc.Assign>) {
    return answer(() => this.assignment.assign(request.actor, request.body));
  }

  @OnRpc(TicketRpc.Approve)
  approve(@Payload() request: RpcRequestOf<typeof TicketRpc.Approve>) {
    return answer(() => this.decisions.approve(request.actor, request.body, request.correlationId));
  }

  @OnRpc(TicketRpc.Reject)
  reject(@Payload() request: RpcRequestOf<typeof TicketRpc.Reject>) {
    return answer(() => this.decisions.reject(request.actor, request.body));
  }

  @OnRpc(TicketRpc.Close)
  close(@Payload() request: RpcRequestOf<typeof TicketRpc.Close>) {
    return answer(() => this.decisions.close(request.actor, request.body));
  }
}
