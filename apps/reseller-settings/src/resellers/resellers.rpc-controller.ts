import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ResellerRpc, type RpcRequestOf } from '@pbx2fa/contracts';
import { answer, OnRpc } from '@pbx2fa/messaging';
import { ResellersService } from './resellers.service';

/** The gateway's requests. Only agents reach these; the gateway checks the role. */
@Controller()
export class ResellersRpcController {
  constructor(private readonly resellers: ResellersService) {}

  @OnRpc(ResellerRpc.Create)
  create(@Payload() request: RpcRequestOf<typeof ResellerRpc.Create>) {
    return answer(() => this.resellers.create(request.body, request.correlationId));
  }

  @OnRpc(ResellerRpc.Get)
  get(@Payload() request: RpcRequestOf<typeof ResellerRpc.Get>) {
    return answer(() => this.resellers.get(request.body.id));
  }
}
