import { Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram } from 'prom-client';
import { MessagingMetrics } from './messaging-metrics';

collectDefaultMetrics({ prefix: 'pbx2fa_' });

const httpRequestDuration = new Histogram({
  name: 'pbx2fa_http_request_duration_seconds',
  help: 'HTTP requests by route template, method and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/**
 * Times every HTTP request under its route template (`/tickets/:id`), never the raw URL. A
 * middleware rather than an interceptor, so that requests refused by a guard are counted too.
 */
export function httpMetricsMiddleware(request: Request, response: Response, next: NextFunction): void {
  const stop = httpRequestDuration.startTimer({ method: request.method });
  response.once('finish', () => {
    const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
    stop({ route, status: String(response.statusCode) });
  });
  next();
}

/** The metrics every service keeps; they are served on the management port (management-server.ts). */
@Module({ providers: [MessagingMetrics] })
export class MetricsModule {}
