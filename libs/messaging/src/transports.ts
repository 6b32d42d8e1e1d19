import { EventPattern, MessagePattern } from '@nestjs/microservices';

/**
 * Two RabbitMQ servers run in a service: one consumes its durable event queue, one answers
 * the gateway's requests. Distinct transport ids keep each handler on its own server.
 */
export const EVENT_TRANSPORT = Symbol('pbx2fa-events');
export const RPC_TRANSPORT = Symbol('pbx2fa-rpc');

export const OnEvent = (name: string): MethodDecorator => EventPattern<string>(name, EVENT_TRANSPORT);
export const OnRpc = (pattern: string): MethodDecorator => MessagePattern<string>(pattern, RPC_TRANSPORT);
