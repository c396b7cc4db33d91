import { HttpStatus } from '@nestjs/common';
import { WardenError } from '#platform';

/** Error codes of the risk guard (the `error` field of the error body). */
export const RiskErrorCode = {
  RiskDenied: 'risk_denied',
  IdempotencyConflict: 'idempotency_conflict',
  CorrelationIdRequired: 'correlation_id_required',
  InvalidEngine: 'invalid_engine',
  ReservationNotFound: 'reservation_not_found',
  ReservationNotOpen: 'reservation_not_open',
  PolicyNotFound: 'policy_not_found',
  PolicyIncomplete: 'policy_incomplete',
  GovernanceUnavailable: 'governance_unavailable',
  ValidationFailed: 'validation_failed',
  EngineRequired: 'engine_required',
  LossExceedsReservation: 'loss_exceeds_reservation',
  LossBelowZero: 'loss_below_zero',
} as const;
export type RiskErrorCode = (typeof RiskErrorCode)[keyof typeof RiskErrorCode];

/** The one exception class of this lever: a WardenError whose code is a RiskErrorCode. */
export class RiskGuardError extends WardenError {
  constructor(code: RiskErrorCode, status: number, message: string, extra: { reasonCodes?: string[]; details?: unknown } = {}) {
    super(code, status, message, extra);
    this.name = 'RiskGuardError';
  }

  static denied(message: string, reasonCodes: string[], details: unknown): RiskGuardError {
    return new RiskGuardError(RiskErrorCode.RiskDenied, HttpStatus.FORBIDDEN, message, { reasonCodes, details });
  }

  static conflict(message: string, details?: unknown): RiskGuardError {
    return new RiskGuardError(RiskErrorCode.IdempotencyConflict, HttpStatus.CONFLICT, message, { details });
  }

  /** 422: a settle may book at most amount x max_loss_multiple; the rest is an operator's adjustment. */
  static lossExceedsReservation(message: string, details: unknown): RiskGuardError {
    return new RiskGuardError(RiskErrorCode.LossExceedsReservation, HttpStatus.UNPROCESSABLE_ENTITY, message, {
      reasonCodes: [RiskErrorCode.LossExceedsReservation],
      details,
    });
  }

  /** 422: an adjustment would take a day's realized loss below 0. */
  static lossBelowZero(message: string, details: unknown): RiskGuardError {
    return new RiskGuardError(RiskErrorCode.LossBelowZero, HttpStatus.UNPROCESSABLE_ENTITY, message, { details });
  }

  static notOpen(message: string, details?: unknown): RiskGuardError {
    return new RiskGuardError(RiskErrorCode.ReservationNotOpen, HttpStatus.CONFLICT, message, { details });
  }

  static notFound(code: typeof RiskErrorCode.ReservationNotFound | typeof RiskErrorCode.PolicyNotFound, message: string): RiskGuardError {
    return new RiskGuardError(code, HttpStatus.NOT_FOUND, message);
  }

  static badRequest(code: RiskErrorCode, message: string, details?: unknown): RiskGuardError {
    return new RiskGuardError(code, HttpStatus.BAD_REQUEST, message, { details });
  }

  /** Fail closed: the ledger could not be reached or the evaluation threw; no new risk is taken. */
  static unavailable(message: string): RiskGuardError {
    return new RiskGuardError(RiskErrorCode.GovernanceUnavailable, HttpStatus.SERVICE_UNAVAILABLE, message, {
      reasonCodes: [RiskErrorCode.GovernanceUnavailable],
    });
  }
}
