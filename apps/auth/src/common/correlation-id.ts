import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { requestIdFor } from '@pbx2fa/platform';
import type { AuthenticatedRequest } from '../sessions/authenticated-request';

/** The request id pino-http gave the request (see `requestIdFor`) is the correlation id of its events. */
export function correlationIdMiddleware(request: Request, response: Response, next: NextFunction): void {
  const id = (request as Request & { id?: unknown }).id;
  (request as AuthenticatedRequest).correlationId = typeof id === 'string' ? id : requestIdFor(request, response);
  next();
}

export const CorrelationId = createParamDecorator((_: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().correlationId ?? randomUUID();
});

export const clientInfo = (request: Request) => ({
  ip: request.ip ?? null,
  userAgent: request.header('user-agent') ?? null,
});
