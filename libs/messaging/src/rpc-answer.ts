import { Logger } from '@nestjs/common';
import { DomainError, ErrorCodes, type RpcResult } from '@pbx2fa/contracts';
import { isTransientFailure } from '@pbx2fa/persistence';

const logger = new Logger('Rpc');

/** Runs a request's work and answers with the contract's error instead of throwing across the wire. */
export async function answer<T>(work: () => Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error: error.toBody() };
    if (isTransientFailure(error)) {
      logger.warn(`answered database_unavailable: ${error instanceof Error ? error.message : String(error)}`);
      return { ok: false, error: DomainError.databaseUnavailable().toBody() };
    }
    logger.error(error instanceof Error ? error.stack : String(error));
    return {
      ok: false,
      error: {
        statusCode: 500,
        error: ErrorCodes.InternalError,
        message: 'Something went wrong on our side; please try again.',
      },
    };
  }
}
