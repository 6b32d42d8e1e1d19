import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { register } from 'prom-client';
import { ErrorCodes } from '@pbx2fa/contracts';
import { Readiness } from './health.module';

/**
 * The management port: `/health/live`, `/health/ready` (which part is down, and why) and
 * `/metrics`, for orchestrators and Prometheus on the inside network. Kept off the service's own
 * port so that the gateway's public port shows neither metrics nor health details. A plain
 * Node server: nothing of the request pipeline (guards, logging per request) runs for a scrape.
 */
export async function startManagementServer(app: INestApplication, port: number): Promise<Server> {
  const readiness = app.get(Readiness);
  const server = createServer((request, response) => {
    void answer(request, response, readiness).catch(() =>
      send(response, 500, { statusCode: 500, error: ErrorCodes.InternalError, message: 'The check failed.' }),
    );
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(port, () => listening());
  });
  return server;
}

async function answer(request: IncomingMessage, response: ServerResponse, readiness: Readiness): Promise<void> {
  const path = (request.url ?? '/').split('?')[0].replace(/\/+$/, '');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(response, 405, {
      statusCode: 405,
      error: 'method_not_allowed',
      message: 'The management port answers GET only.',
    });
  }
  switch (path) {
    case '/health/live':
      return send(response, 200, { status: 'ok' });
    case '/health/ready': {
      const { ready, report } = await readiness.check();
      return send(response, ready ? 200 : 503, report);
    }
    case '/metrics':
      response.writeHead(200, { 'content-type': register.contentType });
      response.end(await register.metrics());
      return;
    default:
      return send(response, 404, {
        statusCode: 404,
        error: ErrorCodes.NotFound,
        message: 'The management port serves /health/live, /health/ready and /metrics.',
      });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
