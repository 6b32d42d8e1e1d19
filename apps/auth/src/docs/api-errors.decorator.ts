import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponse } from './responses';

const COMMON: Record<number, string[]> = {
  400: ['validation_failed', 'malformed_json'],
  401: ['unauthorized'],
  413: ['payload_too_large'],
};

/**
 * Documents the contract's error answers of a route: `ApiErrors([409, 'invalid_transition'])`.
 * Every route also lists the edge's own 400/413, and authenticated routes 401.
 */
export function ApiErrors(...errors: [status: number, code: string][]) {
  const byStatus = new Map<number, string[]>(
    Object.entries(COMMON).map(([status, codes]) => [Number(status), [...codes]]),
  );
  for (const [status, code] of errors) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  return applyDecorators(
    ...[...byStatus.entries()].map(([status, codes]) =>
      ApiResponse({ status, type: ErrorResponse, description: `error: ${[...new Set(codes)].join(' | ')}` }),
    ),
  );
}
