import type { Request } from 'express';
import type { Actor } from '@pbx2fa/contracts';
import type { LiveSession } from './session.repository';

export interface AuthenticatedRequest extends Request {
  session?: LiveSession;
  actor?: Actor;
}

export const bearerToken = (request: Request): string | null => {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
  return match ? match[1] : null;
};
