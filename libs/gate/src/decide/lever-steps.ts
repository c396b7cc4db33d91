import type { StepOutcome } from './combine.js';

/**
 * What the gate makes of each lever's answer: allow or block, the reason codes, and the evidence
 * shown in the trace. Pure: the read phase fetches the answers, these only read them.
 */

const allow = (step: StepOutcome['step'], details: Record<string, unknown>): StepOutcome => ({ step, verdict: 'allow', reason_codes: [], details });
const block = (step: StepOutcome['step'], reasonCodes: string[], details: Record<string, unknown>): StepOutcome => ({ step, verdict: 'block', reason_codes: reasonCodes, details });

/** The go-live row: the kill switch blocks; go-live disabled blocks where go-live is enforced. */
export function goLiveStep(s: { go_live_enabled: boolean; kill_switch_engaged: boolean; enforced: boolean; reason?: string | null }): StepOutcome {
  const details = { go_live_enabled: s.go_live_enabled, kill_switch_engaged: s.kill_switch_engaged, enforced: s.enforced };
  if (s.kill_switch_engaged) return block('go_live', ['kill_switch_engaged'], { ...details, reason: s.reason });
  if (s.enforced && !s.go_live_enabled) return block('go_live', ['go_live_disabled'], details);
  return allow('go_live', details);
}

/** The risk guard's what-if (nothing reserved): a denial blocks with the risk guard's own reason codes. */
export function riskWhatIfStep(a: { allowed: boolean; engine: string; amount: string; outcome: string; reason_codes: string[] } | null): StepOutcome {
  if (a === null) return allow('risk', { skipped: 'the request names no engine and amount' });
  const details = { mode: 'what_if', engine: a.engine, amount: a.amount, outcome: a.outcome, risk_reason_codes: a.reason_codes };
  return a.allowed ? allow('risk', details) : block('risk', a.reason_codes, details);
}

/** The real reservation, taken after everything else allowed; `denied`: the risk guard's codes and message. */
export function riskReserveStep(r: { reservation_id: string; outcome: string; idempotent_replay: boolean } | { denied: string[]; message: string }): StepOutcome {
  if ('denied' in r) return block('risk', r.denied, { mode: 'reserve', message: r.message });
  return allow('risk', { mode: 'reserve', reservation_id: r.reservation_id, outcome: r.outcome, idempotent_replay: r.idempotent_replay });
}

/** Heimdall's production eligibility of the recommendation named: not eligible blocks with its gate_reason. */
export function heimdallStep(e: { recommendation_id: string; domain: string; prod_eligible: boolean; gate_reason: string; reason_codes: string[] } | null): StepOutcome {
  if (e === null) return allow('heimdall', { skipped: 'the request names no recommendation' });
  const details = { recommendation_id: e.recommendation_id, domain: e.domain, gate_reason: e.gate_reason, heimdall_reason_codes: e.reason_codes };
  return e.prod_eligible ? allow('heimdall', details) : block('heimdall', [e.gate_reason], details);
}

/**
 * The engine throttle, read from the engine's risk policy: disabled (by a regression tripwire's
 * THROTTLE or an operator) blocks `engine_throttled`. Its trace key is `tripwire` (see GATE_STEPS).
 * `policy`: undefined when the request names no engine, null when the engine has no risk policy.
 */
export function engineThrottleStep(
  engine: string | undefined,
  policy: { enabled: boolean; disabled_reason: string | null; updated_by: string; updated_at: string } | null | undefined,
): StepOutcome {
  if (engine === undefined) return allow('tripwire', { skipped: 'the request names no engine' });
  if (policy && !policy.enabled) return block('tripwire', ['engine_throttled'], { engine, disabled_reason: policy.disabled_reason, disabled_by: policy.updated_by, since: policy.updated_at });
  return allow('tripwire', { engine, policy: policy ? 'enabled' : 'none' });
}
