import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionContext } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

/** The caller's X-Request-Id when it is sane, else a new one; echoed back on the response. */
export function requestIdFor(request: IncomingMessage, response: ServerResponse): string {
  const offered = request.headers['x-request-id'];
  const id = typeof offered === 'string' && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}

/** Header and field names whose values never reach a log line. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-introspection-secret"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.passcode',
  '*.recoveryCode',
  '*.recoveryCodes',
  '*.secret',
  '*.accessToken',
  '*.challengeToken',
  '*.assertion',
  '*.token',
];

/**
 * The correlation id a message carries: the X-Request-Id of the HTTP request behind it, in an
 * event's envelope and in a gateway request alike (libs/contracts). A new id for anything else.
 */
function correlationIdOf(context: ExecutionContext): string {
  const data = context.switchToRpc().getData<{ correlationId?: unknown } | undefined>();
  const offered = data?.correlationId;
  return typeof offered === 'string' && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
}

/**
 * JSON lines (pino) with the request id on every line logged while serving a request, and the
 * same id on every line logged while handling an event or a gateway request it caused.
 */
export function loggingModule(service: string, level: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      genReqId: requestIdFor,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      customAttributeKeys: { reqId: 'requestId' },
      autoLogging: { ignore: (request) => request.url === '/health' || request.url === '/metrics' },
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url,
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
    microservice: {
      genReqId: correlationIdOf,
      customAttributeKeys: { reqId: 'requestId' },
    },
  });
}
