import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '@pbx2fa/contracts';
import type { SignInRateLimit } from './sign-in-rate-limit';

/** The routes that sign someone in, each of which may cost a hash or a signature check. */
const SIGN_IN_PATHS: ReadonlySet<string> = new Set([
  '/auth/login',
  '/auth/login/verify',
  '/auth/login/passkey-options',
  '/auth/sso/ringos',
  '/auth/passkey/options',
  '/auth/passkey',
]);

/**
 * A refused request's answer is held about a second (jittered, so that a flood's connections
 * drift apart instead of coming back all at once). A client that waits for each answer before
 * sending the next — every flooding tool, and the pages — then sends about one request a
 * second per connection instead of thousands, and the requests of everyone else are not kept
 * waiting behind the flood on the event loop.
 */
const REFUSAL_HOLD_MS = { min: 750, max: 1250 } as const;
const holdMs = () => REFUSAL_HOLD_MS.min + Math.random() * (REFUSAL_HOLD_MS.max - REFUSAL_HOLD_MS.min);
/** Beyond this many held answers (sockets and timers), refusals are sent at once. */
const MAX_HELD = 10_000;

/** Express routes ignore case and a trailing slash, so the limit must too. */
const routeOf = (request: Request) => request.path.toLowerCase().replace(/\/+$/, '');

/**
 * Counts POSTs to the sign-in routes per client address and answers 429 past the allowance,
 * before the body is parsed, logged or validated, so a refused request costs next to nothing.
 */
export function limitSignInsPerAddress(limit: SignInRateLimit) {
  let held = 0;
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method !== 'POST' || !SIGN_IN_PATHS.has(routeOf(request))) return next();
    limit.consume(request.ip ?? null).then(
      () => next(),
      (error: unknown) => {
        if (!(error instanceof DomainError)) return next(error);
        const refuse = () => {
          if (!response.writableEnded && !response.destroyed)
            response.set(error.headers).status(error.statusCode).json(error.toBody());
        };
        if (held >= MAX_HELD) return refuse();
        held++;
        setTimeout(() => {
          held--;
          refuse();
        }, holdMs());
      },
    );
  };
}
