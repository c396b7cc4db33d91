/**
 * @warden/client: an engine's side of Warden. See packages/client/README.md.
 *
 *   const warden = await WardenClient.connect({ baseUrl, token, identity: 'offer-engine' });
 *   if (warden.killSwitchEngaged()) return;               // from memory, fail closed when stale
 *   const r = await warden.reserve({ engine: 'WHOLESALE', amount: '25.00' });
 *   await warden.settle({ reservationId: r.reservation_id, realizedLoss: '0' });
 */
export { WardenClient, type WardenClientOptions, type ReserveInput, type ReservationRef, type SettleInput, type VoidInput, type Reservation, type Closed, type Eligibility } from './client.js';
export type { GateApi, GateIntent, GateDecision, GateBlockedDecision, GateOutcome, EvaluateOptions, AuthorizeOptions, WaitOptions, Approval } from './gate.js';
export { intentFor, type GovernedOptions, type IntentDefaults } from './governed.js';
export { Transport, backoff, type RetryOptions, type TransportOptions, type RetryClass } from './http.js';
export { ControlStateStream, type StreamOptions, type StreamStatus, type StreamListener } from './stream.js';
export { ControlState, type GoLiveState, type EngineState, type HeimdallDomainState, type GatePolicyState, type ApprovalOutcome, type StreamDelta, type StreamSnapshot } from './control-state.js';
export { SseParser, type SseItem, type SseMessage } from './sse.js';
export {
  WardenError,
  RiskDeniedError,
  KillSwitchEngagedError,
  HeimdallNotEligibleError,
  IdempotencyConflictError,
  GovernanceUnavailableError,
  GateBlockedError,
  ApprovalPendingError,
  ApprovalRejectedError,
  ApprovalTimeoutError,
} from './errors.js';
export type { components as WardenSchemas, paths as WardenPaths } from './generated/openapi.js';
