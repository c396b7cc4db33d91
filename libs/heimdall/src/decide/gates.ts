import { D, displayDigits, rateMeets, ratioGte, showRatioDown, successesInARowNeeded } from './ratio.js';

/**
 * Heimdall's gate stack, as one pure function. A recommendation may reach production only when
 * every gate passes; the gates are checked in a fixed order and the first failing one is the
 * `gate_reason`. Every gate is always reported — actual, required, passed, and how far it is from
 * passing — so the answer to "why not?" and "what would it take?" is in the same response.
 */

/** The reason codes, in gate order. */
export const GateReason = {
  ProdUseDisabled: 'prod_use_disabled',
  ConfidenceBelowThreshold: 'confidence_below_threshold',
  InsufficientSandboxTrials: 'insufficient_sandbox_trials',
  SandboxSuccessRateBelowThreshold: 'sandbox_success_rate_below_threshold',
  KillSwitchEngaged: 'kill_switch_engaged',
  GatePass: 'gate_pass',
} as const;
export type GateReasonCode = (typeof GateReason)[keyof typeof GateReason];

export type GateName = 'prod_use_enabled' | 'min_confidence' | 'min_sandbox_trials' | 'min_sandbox_success_rate' | 'kill_switch_released';

export interface GatePolicy {
  /** Canonical decimal strings in [0, 1]. */
  minConfidence: string;
  minTrials: number;
  minSuccessRate: string;
  prodUseEnabled: boolean;
  windowDays: number;
}

export interface GateWindow {
  trials: number;
  successes: number;
}

export interface GateInput {
  policy: GatePolicy;
  /** Sandbox trials over the policy's window. */
  window: GateWindow;
  /** The recommendation's confidence (canonical decimal), or null when there is none to judge. */
  confidence: string | null;
  killSwitchEngaged: boolean;
}

export interface GateCheck {
  gate: GateName;
  /** The reason code this gate gives when it fails. */
  reason_code: Exclude<GateReasonCode, 'gate_pass'>;
  passed: boolean;
  actual: number | boolean | null;
  required: number | boolean;
  /**
   * How far from passing, in the gate's own unit: trials still to record, successes in a row
   * still needed, confidence points short; 0 when passed; null when no amount of sandbox work
   * closes it (an operator's act, or a rate of 1 with a failure in the window).
   */
  shortfall: number | null;
  /** The same, for a human: "12 more trials", "success rate 0.79 of 0.82 (17 more successes in a row)". */
  distance: string;
}

export interface GateDecision {
  prod_eligible: boolean;
  gate_reason: GateReasonCode;
  /** Every failing gate's reason code, in gate order (the first one is gate_reason). */
  reason_codes: Array<Exclude<GateReasonCode, 'gate_pass'>>;
  gates: GateCheck[];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function evaluateGates(input: GateInput): GateDecision {
  const { policy, window, confidence, killSwitchEngaged } = input;
  const gates: GateCheck[] = [
    prodUseGate(policy),
    confidenceGate(policy, confidence),
    trialsGate(policy, window),
    successRateGate(policy, window),
    killSwitchGate(killSwitchEngaged),
  ];
  const reason_codes = gates.filter((g) => !g.passed).map((g) => g.reason_code);
  return {
    prod_eligible: reason_codes.length === 0,
    gate_reason: reason_codes[0] ?? GateReason.GatePass,
    reason_codes,
    gates,
  };
}

function prodUseGate(policy: GatePolicy): GateCheck {
  return {
    gate: 'prod_use_enabled',
    reason_code: GateReason.ProdUseDisabled,
    passed: policy.prodUseEnabled,
    actual: policy.prodUseEnabled,
    required: true,
    shortfall: policy.prodUseEnabled ? 0 : null,
    distance: policy.prodUseEnabled ? 'prod use enabled' : 'prod use disabled: an operator must enable it for this domain',
  };
}

function confidenceGate(policy: GatePolicy, confidence: string | null): GateCheck {
  const required = Number(policy.minConfidence);
  const base = { gate: 'min_confidence' as const, reason_code: GateReason.ConfidenceBelowThreshold, required };
  if (confidence === null) {
    return { ...base, passed: false, actual: null, shortfall: null, distance: `no confidence to judge (no trials in the window), needs ${policy.minConfidence}` };
  }
  const passed = ratioGte(confidence, policy.minConfidence);
  const digits = displayDigits(policy.minConfidence);
  const short = new D(policy.minConfidence).minus(confidence);
  return {
    ...base,
    passed,
    actual: Number(confidence),
    shortfall: passed ? 0 : short.toNumber(),
    distance: passed
      ? `confidence ${confidence} meets ${policy.minConfidence}`
      : `confidence ${showRatioDown(confidence, digits)} of ${policy.minConfidence} (${short.toDecimalPlaces(digits + 2, D.ROUND_UP).toFixed()} short)`,
  };
}

function trialsGate(policy: GatePolicy, window: GateWindow): GateCheck {
  const missing = Math.max(0, policy.minTrials - window.trials);
  const span = policy.windowDays === 1 ? "today's window" : `the ${policy.windowDays}-day window`;
  return {
    gate: 'min_sandbox_trials',
    reason_code: GateReason.InsufficientSandboxTrials,
    passed: missing === 0,
    actual: window.trials,
    required: policy.minTrials,
    shortfall: missing,
    distance:
      missing === 0
        ? `${plural(window.trials, 'trial', 'trials')} in ${span} meets ${policy.minTrials}`
        : `${plural(missing, 'more trial', 'more trials')} (${window.trials} of ${policy.minTrials} in ${span})`,
  };
}

function successRateGate(policy: GatePolicy, window: GateWindow): GateCheck {
  const { trials, successes } = window;
  const passed = rateMeets(successes, trials, policy.minSuccessRate);
  const needed = successesInARowNeeded(successes, trials, policy.minSuccessRate);
  const digits = displayDigits(policy.minSuccessRate);
  const rate = trials === 0 ? null : successes / trials;
  const shown = trials === 0 ? 'no trials yet' : `success rate ${showRatioDown(new D(successes).div(trials).toFixed(), digits)}`;
  let distance: string;
  if (passed) distance = trials === 0 ? `no rate required (${policy.minSuccessRate})` : `${shown} meets ${policy.minSuccessRate}`;
  else if (trials === 0) distance = `no trials yet: the success rate must reach ${policy.minSuccessRate}`;
  else if (needed === null) distance = `${shown} of ${policy.minSuccessRate}: cannot pass while a failed trial is in the window`;
  else distance = `${shown} of ${policy.minSuccessRate} (${plural(needed, 'more success', 'more successes')} in a row)`;
  return {
    gate: 'min_sandbox_success_rate',
    reason_code: GateReason.SandboxSuccessRateBelowThreshold,
    passed,
    actual: rate,
    required: Number(policy.minSuccessRate),
    shortfall: needed,
    distance,
  };
}

function killSwitchGate(engaged: boolean): GateCheck {
  return {
    gate: 'kill_switch_released',
    reason_code: GateReason.KillSwitchEngaged,
    passed: !engaged,
    actual: !engaged,
    required: true,
    shortfall: engaged ? null : 0,
    distance: engaged ? 'kill switch engaged: nothing reaches production until an operator releases it' : 'kill switch released',
  };
}

/** One line per domain for the Friday review: verdict, then what each failing gate still needs. */
export function summarize(domain: string, decision: GateDecision): string {
  if (decision.prod_eligible) return `${domain}: production-eligible (every gate passes)`;
  const failing = decision.gates.filter((g) => !g.passed).map((g) => g.distance);
  return `${domain}: not eligible (${decision.gate_reason}) — ${failing.join('; ')}`;
}
