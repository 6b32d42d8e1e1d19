import type { NextFunction, Request, Response } from 'express';
import { ErrorCodes } from '@pbx2fa/contracts';

/** Every body this API takes is a JSON object; an array or a bare value is refused plainly. */
export function jsonObjectOnly(request: Request, response: Response, next: NextFunction): void {
  const body: unknown = request.body;
  const parsed = request.is('application/json') && body !== undefined;
  if (parsed && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    response.status(400).json({ statusCode: 400, error: ErrorCodes.ValidationFailed, message: 'The request body must be a JSON object.' });
    return;
  }
  next();
}
