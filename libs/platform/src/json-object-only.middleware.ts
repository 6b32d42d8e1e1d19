import type { NextFunction, Request, Response } from 'express';
import { ErrorCodes } from '@pbx2fa/contracts';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The first thing in a parsed JSON value that no field of this API may hold, or null. */
export function findForbiddenContent(value: unknown, depth = 0): string | null {
  if (depth > 20) return 'The request body is nested too deeply.';
  if (typeof value === 'string') return value.includes('\u0000') ? 'Text may not contain NUL characters.' : null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = findForbiddenContent(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `The field name "${key}" is not allowed.`;
      const problem = findForbiddenContent(key, depth + 1) ?? findForbiddenContent(item, depth + 1);
      if (problem) return problem;
    }
  }
  return null;
}

const refuse = (response: Response, message: string) =>
  response.status(400).json({ statusCode: 400, error: ErrorCodes.ValidationFailed, message });

/**
 * Every body this API takes is a JSON object of plain text and numbers: an array, a bare value,
 * a NUL character (PostgreSQL refuses it) or a prototype-polluting key is refused plainly.
 */
export function jsonObjectOnly(request: Request, response: Response, next: NextFunction): void {
  if (request.originalUrl.includes('%00') || request.originalUrl.includes('\u0000')) {
    refuse(response, 'The address may not contain NUL characters.');
    return;
  }
  // Express's query parser drops these keys silently; say so instead of answering as if unasked.
  const queryKeys = [...new URLSearchParams(request.originalUrl.split('?')[1] ?? '').keys()].map((key) =>
    key.replace(/\[.*$/, ''),
  );
  const forbiddenKey = queryKeys.find((key) => FORBIDDEN_KEYS.has(key));
  if (forbiddenKey) {
    refuse(response, `The parameter name "${forbiddenKey}" is not allowed.`);
    return;
  }
  const body: unknown = request.body;
  if (request.is('application/json') && body !== undefined) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      refuse(response, 'The request body must be a JSON object.');
      return;
    }
    const problem = findForbiddenContent(body);
    if (problem) {
      refuse(response, problem);
      return;
    }
  }
  next();
}
