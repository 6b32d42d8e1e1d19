import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';

/**
 * The id pino-http gave the request (the caller's X-Request-Id when sane, see `requestIdFor`):
 * it is also the correlation id of the events the request causes.
 */
export const CorrelationId = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const id = context.switchToHttp().getRequest<Request & { id?: unknown }>().id;
  return typeof id === 'string' ? id : randomUUID();
});

export const clientInfo = (request: Request) => ({
  ip: request.ip ?? null,
  userAgent: request.header('user-agent') ?? null,
});
