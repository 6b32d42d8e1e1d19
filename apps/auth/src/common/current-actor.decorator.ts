import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '@pbx2fa/contracts';

/** The signed-in caller, as the bearer guard (sessions/) found it. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<Request & { actor?: Actor }>().actor;
});
