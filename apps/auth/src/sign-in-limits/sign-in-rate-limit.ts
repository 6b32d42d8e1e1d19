import { Inject, Injectable, Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { clientAddressKey } from './client-address';

/** The table the sign-in-limits migration creates; rate-limiter-flexible owns its rows. */
export const SIGN_IN_LIMIT_TABLE = 'sign_in_rate_limits';

/**
 * Requests to the sign-in routes per client address (IPv6 by /64), counted in PostgreSQL so every
 * gateway replica shares one allowance, in fixed windows. Each replica also counts in memory
 * first: what one replica saw is part of what all saw, so an address over the allowance here is
 * refused without asking the database — the first instant of a flood (hundreds of requests at
 * once) costs no hundreds of writes to one row. Past the allowance the address is remembered in
 * memory until the window ends. If PostgreSQL does not answer, the replica counts on its own.
 */
@Injectable()
export class SignInRateLimit {
  private readonly logger = new Logger(SignInRateLimit.name);
  private readonly shared: RateLimiterPostgres;
  private readonly local: RateLimiterMemory;

  private readonly allowance: number;

  constructor(dataSource: DataSource, @Inject(AUTH_CONFIG) config: AuthConfig) {
    this.allowance = config.SIGN_IN_LIMIT_PER_ADDRESS;
    const allowance = { points: config.SIGN_IN_LIMIT_PER_ADDRESS, duration: config.SIGN_IN_LIMIT_WINDOW_SECONDS };
    this.local = new RateLimiterMemory({ ...allowance, keyPrefix: 'sign-in-local' });
    this.shared = new RateLimiterPostgres({
      ...allowance,
      storeClient: dataSource,
      storeType: 'typeorm',
      tableName: SIGN_IN_LIMIT_TABLE,
      tableCreated: true,
      // Ended windows are removed by the retention sweeper, one replica at a time, in batches.
      clearExpiredByTimeout: false,
      keyPrefix: 'sign-in',
      inMemoryBlockOnConsumed: allowance.points,
      insuranceLimiter: new RateLimiterMemory({ ...allowance, keyPrefix: 'sign-in' }),
    });
  }

  /** Counts one sign-in request from the address; throws 429 too_many_requests with Retry-After past the allowance. */
  async consume(ip: string | null): Promise<void> {
    const key = clientAddressKey(ip);
    try {
      await this.local.consume(key);
      await this.shared.consume(key);
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      const retryAfter = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
      // One line per address and window, not one per refused request of a flood.
      if (outcome.consumedPoints === this.allowance + 1)
        this.logger.warn({ msg: 'sign-in requests from one address limited', address: key, retryAfter });
      throw new DomainError(
        429,
        ErrorCodes.TooManyRequests,
        `Too many sign-in requests from your network. Please wait ${retryAfter} second${retryAfter === 1 ? '' : 's'} and try again.`,
        { 'Retry-After': String(retryAfter) },
      );
    }
  }
}
