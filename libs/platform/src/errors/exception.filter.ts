import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { commitOutcomeUnknown, describeError, isDatabaseUnavailable } from './database-errors.js';
import { type ErrorBody } from './error-body.js';
import { PlatformErrorCode, WardenError } from './warden-error.js';

const STATUS_CODES: Record<number, string> = {
  400: PlatformErrorCode.ValidationFailed,
  401: PlatformErrorCode.Unauthorized,
  403: PlatformErrorCode.Forbidden,
  404: PlatformErrorCode.NotFound,
  413: PlatformErrorCode.PayloadTooLarge,
  415: PlatformErrorCode.UnsupportedMediaType,
};

const JSON_PARSE_MESSAGES = /^Body (is not valid JSON|cannot be empty) when content-type is set to 'application\/json'|^Body is not valid JSON/;

/** Maps any error to the one error body; unknown errors are logged with an id and never leak internals. */
export function toErrorBody(exception: unknown, logger: Logger): ErrorBody {
  if (exception instanceof WardenError) {
    const body: ErrorBody = { statusCode: exception.status, error: exception.code, message: exception.message };
    if (exception.extra.reasonCodes) body.reason_codes = exception.extra.reasonCodes;
    if (exception.extra.details !== undefined) body.details = exception.extra.details;
    return body;
  }
  // Fastify's JSON parse errors reach the filter either as themselves or re-wrapped by Nest.
  const code = (exception as { code?: unknown })?.code;
  const message = (exception as { message?: unknown })?.message;
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (typeof message === 'string' && JSON_PARSE_MESSAGES.test(message))) {
    return { statusCode: 400, error: 'invalid_json', message: (exception as Error).message };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && response && 'message' in response
        ? String((response as { message: unknown }).message)
        : exception.message;
    return { statusCode: status, error: STATUS_CODES[status] ?? `http_${status}`, message };
  }
  // Fastify's own errors (body too large, bad JSON, bad content type) carry a statusCode and a code.
  const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    return { statusCode: status, error: STATUS_CODES[status] ?? `http_${status}`, message: fastifyError.message ?? 'bad request' };
  }
  // The database down, hung or timing out is an outage to fail closed on, not a bug: 503, a warning.
  if (isDatabaseUnavailable(exception)) {
    const { code, message } = describeError(exception);
    logger.warn({ msg: `database unavailable, failing closed: ${String(code ?? '')} ${String(message ?? '')}`.trim() });
    const body: ErrorBody = {
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: PlatformErrorCode.GovernanceUnavailable,
      message: 'the database cannot be reached or did not answer in time: failing closed',
      reason_codes: [PlatformErrorCode.GovernanceUnavailable],
    };
    if (commitOutcomeUnknown(exception)) {
      // The one ambiguous case (docs/failure-modes.md): say so, and how to learn the outcome.
      body.message = 'the database did not acknowledge the commit in time: the outcome is unknown; retry with the same idempotency key to learn it';
      body.details = { commit_outcome: 'unknown' };
    }
    return body;
  }
  const errorId = randomUUID();
  // describeError: never a failed query's parameters in the log.
  logger.error({ err: describeError(exception), error_id: errorId }, 'unhandled error');
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: PlatformErrorCode.InternalError,
    message: `internal error (error_id ${errorId})`,
    error_id: errorId,
  };
}

@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = toErrorBody(exception, this.logger);
    // The error body is JSON whatever the route would have answered (a page route sets text/html up front).
    void reply.status(body.statusCode).type('application/json; charset=utf-8').send(body);
  }
}
