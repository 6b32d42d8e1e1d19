import { EventPattern, MessagePattern } from '@nestjs/microservices';
import type { RpcAnswerOf, RpcPattern, RpcRequestOf, RpcResult } from '@pbx2fa/contracts';

/**
 * Two RabbitMQ servers run in a service: one consumes its durable event queue, one answers
 * the gateway's requests. Distinct transport ids keep each handler on its own server.
 */
export const EVENT_TRANSPORT = Symbol('pbx2fa-events');
export const RPC_TRANSPORT = Symbol('pbx2fa-rpc');

export const OnEvent = (name: string): MethodDecorator => EventPattern<string>(name, EVENT_TRANSPORT);
export type RpcHandler<P extends RpcPattern> = (request: RpcRequestOf<P>) => Promise<RpcResult<RpcAnswerOf<P>>>;

/** Answers `pattern`; the compiler holds the method to the request and answer types of `RpcMethods`. */
export const OnRpc =
  <P extends RpcPattern>(pattern: P) =>
  (target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<RpcHandler<P>>): void => {
    MessagePattern<string>(pattern, RPC_TRANSPORT)(target, key, descriptor);
  };
