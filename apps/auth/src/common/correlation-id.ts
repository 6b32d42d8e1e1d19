import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { AuthenticatedRequest } from '../sessions/authenticated-request';

const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

/** Gives every request an id (the caller's X-Request-Id when sane) that travels with its events. */
export function correlationIdMiddleware(request: Request, response: Response, next: NextFunction): void {
  const offered = request.header('x-request-id');
  const id = offered && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
  (request as AuthenticatedRequest).correlationId = id;
  response.setHeader('X-Request-Id', id);
  next();
}

export const CorrelationId = createParamDecorator((_: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().correlationId ?? randomUUID();
});

export const clientInfo = (request: Request) => ({
  ip: request.ip ?? null,
  userAgent: request.header('user-agent') ?? null,
});
