import { HttpStatus } from '@nestjs/common';

/**
 * Every expected failure in Warden is a WardenError: a stable snake_case code, an HTTP status,
 * a human message, and optionally the reason codes and details an operator needs to answer "why?".
 * The global filter turns it into the one error body shape.
 */
export class WardenError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: { reasonCodes?: string[]; details?: unknown } = {},
  ) {
    super(message);
    this.name = 'WardenError';
  }

  static badRequest(code: string, message: string, details?: unknown): WardenError {
    return new WardenError(code, HttpStatus.BAD_REQUEST, message, { details });
  }

  static notFound(code: string, message: string): WardenError {
    return new WardenError(code, HttpStatus.NOT_FOUND, message);
  }

  static conflict(code: string, message: string, details?: unknown): WardenError {
    return new WardenError(code, HttpStatus.CONFLICT, message, { details });
  }

  static forbidden(code: string, message: string, reasonCodes?: string[], details?: unknown): WardenError {
    return new WardenError(code, HttpStatus.FORBIDDEN, message, { reasonCodes, details });
  }

  static unavailable(code: string, message: string): WardenError {
    return new WardenError(code, HttpStatus.SERVICE_UNAVAILABLE, message);
  }
}

/** Platform-level error codes; each lever adds its own in `<lever>.errors.ts`. */
export const PlatformErrorCode = {
  ValidationFailed: 'validation_failed',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  IdempotencyConflict: 'idempotency_conflict',
  GovernanceUnavailable: 'governance_unavailable',
  InternalError: 'internal_error',
} as const;
