import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorCodes, type ErrorBody } from '@pbx2fa/contracts';
import { isTransientFailure } from '@pbx2fa/persistence';

const STATUS_CODES: Record<number, string> = {
  400: ErrorCodes.ValidationFailed,
  401: ErrorCodes.Unauthorized,
  403: ErrorCodes.Forbidden,
  404: ErrorCodes.NotFound,
  413: ErrorCodes.PayloadTooLarge,
};

/** Body parser failures arrive as plain errors carrying a `type` and a `status`. */
interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * The one place an error becomes `{ statusCode, error, message }`. Client mistakes keep their
 * 4xx; anything unexpected is logged and answered with a 500 that reveals nothing.
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorBodyFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const { body, headers } = this.toBody(exception);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): { body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof DomainError) return { body: exception.toBody(), headers: exception.headers };
    if (isTransientFailure(exception)) {
      this.logger.warn(
        `answered database_unavailable: ${exception instanceof Error ? exception.message : String(exception)}`,
      );
      const unavailable = DomainError.databaseUnavailable();
      return { body: unavailable.toBody(), headers: unavailable.headers };
    }
    // Express's adapter wraps body-parser failures in an HttpException whose cause says what failed.
    const parserError = (exception instanceof HttpException ? exception.cause : exception) as BodyParserError;
    if (parserError?.type === 'entity.too.large') {
      return {
        body: { statusCode: 413, error: ErrorCodes.PayloadTooLarge, message: 'The request body is too large.' },
        headers: {},
      };
    }
    if (parserError?.type === 'entity.parse.failed' || exception instanceof SyntaxError) {
      return {
        body: { statusCode: 400, error: ErrorCodes.MalformedJson, message: 'The request body is not valid JSON.' },
        headers: {},
      };
    }
    if (parserError instanceof URIError) {
      return {
        body: {
          statusCode: 400,
          error: ErrorCodes.ValidationFailed,
          message: 'The request path is not validly encoded.',
        },
        headers: {},
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (
        typeof response === 'object' &&
        response &&
        'error' in response &&
        'message' in response &&
        typeof response.message === 'string'
      ) {
        return { body: { statusCode: status, error: String(response.error), message: response.message }, headers: {} };
      }
      if (status < 500) {
        const message = typeof response === 'string' ? response : exception.message;
        return { body: { statusCode: status, error: STATUS_CODES[status] ?? 'bad_request', message }, headers: {} };
      }
    }
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return {
        body: { statusCode: parserError.status, error: 'bad_request', message: 'The request could not be read.' },
        headers: {},
      };
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return {
      body: {
        statusCode: 500,
        error: ErrorCodes.InternalError,
        message: 'Something went wrong on our side; please try again.',
      },
      headers: {},
    };
  }
}
