import type { components } from './generated/openapi.js';

type ErrorBody = components['schemas']['ErrorBodyDto'];

/**
 * Every refusal Warden answers, typed: `code` is the server's stable snake_case `error`, and
 * `reasonCodes` every reason it gave (`risk_denied` names each failing cap). Catch the subclass
 * for the cases an engine handles differently; `WardenError` for the rest.
 */
export class WardenError extends Error {
  readonly status: number;
  readonly code: string;
  readonly reasonCodes: string[];
  readonly details: Record<string, unknown>;
  /** The whole answer, as it came. */
  readonly body: unknown;

  constructor(status: number, code: string, message: string, reasonCodes: string[] = [], details: Record<string, unknown> = {}, body?: unknown) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.reasonCodes = reasonCodes;
    this.details = details;
    this.body = body;
  }

  /** The typed error for a non-2xx answer. */
  static fromResponse(status: number, body: unknown): WardenError {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Partial<ErrorBody> & Record<string, unknown>;
    const code = typeof b.error === 'string' ? b.error : `http_${status}`;
    const message = typeof b.message === 'string' ? b.message : `Warden answered ${status}`;
    const reasons = Array.isArray(b.reason_codes) ? (b.reason_codes as string[]) : [];
    const details = (typeof b.details === 'object' && b.details !== null ? b.details : {}) as Record<string, unknown>;
    const Kind = status === 503 ? GovernanceUnavailableError : (KINDS[code] ?? WardenError);
    return new Kind(status, code, message, reasons, details, body);
  }
}

/** 403 `risk_denied`: the reservation did not fit; `reasonCodes` names every failing cap. */
export class RiskDeniedError extends WardenError {}

/** 403 `kill_switch_engaged` (from any lever), or the local cache answered engaged. */
export class KillSwitchEngagedError extends WardenError {}

/** 403 `heimdall_gate_failed`: the recommendation is not production-eligible now; `reasonCodes` has the failing gate. */
export class HeimdallNotEligibleError extends WardenError {}

/** 409 `idempotency_conflict`: the key was used with a different request. */
export class IdempotencyConflictError extends WardenError {}

/**
 * Warden could not answer (503, or the network failed) after the bounded retries: fail closed,
 * nothing is known to have been allowed. `code` is the server's (`governance_unavailable`) or
 * `network_error`.
 */
export class GovernanceUnavailableError extends WardenError {}

/** The gate blocked the intent (403 `gate_blocked`); `reasonCodes` and `decision` say why. */
export class GateBlockedError extends WardenError {
  get decision(): components['schemas']['GateBlockedResponseDto'] {
    return this.body as components['schemas']['GateBlockedResponseDto'];
  }
}

/** An action the gate holds for approval: it did not run. `approvalId` is the request filed. */
export class ApprovalPendingError extends WardenError {
  constructor(
    readonly approvalId: string,
    reasonCodes: string[],
    body?: unknown,
  ) {
    super(202, 'approval_pending', `held for approval ${approvalId}: it runs only once approved`, reasonCodes, { approval_id: approvalId }, body);
  }
}

/** The approval was rejected, expired or cancelled: the action must not run. */
export class ApprovalRejectedError extends WardenError {
  constructor(
    readonly approvalId: string,
    readonly approvalStatus: string,
  ) {
    super(403, `approval_${approvalStatus}`, `approval ${approvalId} is ${approvalStatus}`, [`approval_${approvalStatus}`], { approval_id: approvalId });
  }
}

/** No decision within the wait: a timeout is a rejection (the action must not run). */
export class ApprovalTimeoutError extends WardenError {
  constructor(
    readonly approvalId: string,
    timeoutMs: number,
  ) {
    super(408, 'approval_timeout', `approval ${approvalId} was not decided within ${timeoutMs} ms: treated as rejected`, ['approval_timeout'], { approval_id: approvalId });
  }
}

const KINDS: Record<string, typeof WardenError> = {
  risk_denied: RiskDeniedError,
  kill_switch_engaged: KillSwitchEngagedError,
  heimdall_gate_failed: HeimdallNotEligibleError,
  idempotency_conflict: IdempotencyConflictError,
  gate_blocked: GateBlockedError,
  governance_unavailable: GovernanceUnavailableError,
};
