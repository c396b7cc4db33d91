import { mergeUniqueSorted, mostRestrictive, uniqueSorted, type Verdict } from './strings.js';

/** A policy's rollout stage: observe (evaluate, never act), dry_run (act as a dry run), enforce. */
export const ROLLOUT_MODES = ['observe', 'dry_run', 'enforce'] as const;
export type RolloutMode = (typeof ROLLOUT_MODES)[number];

/**
 * The gate's steps as the trace names them, in evaluation order. `tripwire` is the engine-throttle
 * step: it reads the engine's risk policy (enabled, or disabled by a regression tripwire or an
 * operator); the key predates the name and stays, since clients and tests read it.
 */
export const GATE_STEPS = ['go_live', 'policy', 'risk', 'heimdall', 'tripwire', 'trust', 'approval'] as const;
export type GateStepName = (typeof GATE_STEPS)[number];

/** What one step found. `details` is the step's own evidence, shown in the trace. */
export interface StepOutcome {
  step: GateStepName;
  verdict: Verdict;
  reason_codes: string[];
  details?: Record<string, unknown>;
}

const acts = (v: Verdict) => v === 'block' || v === 'require_approval';

export interface ModeApplied {
  verdict: Verdict;
  reason_codes: string[];
  /** The verdict the step would have given in enforce mode, when the mode changed it. */
  would_have: Verdict | null;
}

/**
 * The rollout mode applied to a policy-derived verdict (the policy file's, and the trust
 * threshold it carries): observe never acts (`observe_mode_non_enforcing`, `simulated_<verdict>`),
 * dry_run turns an act into `dry_run` (`dry_run_mode`, `simulated_<verdict>`), enforce leaves it.
 */
export function applyMode(mode: RolloutMode, verdict: Verdict, reasonCodes: readonly string[]): ModeApplied {
  if (mode === 'enforce' || !acts(verdict)) return { verdict, reason_codes: uniqueSorted(reasonCodes), would_have: null };
  return mode === 'observe' ? neutralise('observe_mode_non_enforcing', 'allow', verdict, reasonCodes) : neutralise('dry_run_mode', 'dry_run', verdict, reasonCodes);
}

/**
 * `simulate: true` on the whole answer, as gait's --simulate: a block or require_approval is
 * reported as allow with `simulate_mode_non_enforcing` and `simulated_<verdict>`.
 */
export function simulateVerdict(verdict: Verdict, reasonCodes: readonly string[]): ModeApplied {
  if (!acts(verdict)) return { verdict, reason_codes: uniqueSorted([...reasonCodes, 'simulate_mode_non_enforcing']), would_have: null };
  return neutralise('simulate_mode_non_enforcing', 'allow', verdict, reasonCodes);
}

function neutralise(marker: string, to: Verdict, verdict: Verdict, reasonCodes: readonly string[]): ModeApplied {
  return { verdict: to, reason_codes: uniqueSorted([...reasonCodes, marker, `simulated_${verdict}`]), would_have: verdict };
}

export interface Combined {
  verdict: Verdict;
  reason_codes: string[];
}

/**
 * The strictest verdict wins (block > require_approval > dry_run > allow); the reason codes are
 * every step's, deduplicated and sorted (a step that allows contributes only what it names, e.g.
 * the policy's `matched_rule_<name>`).
 */
export function combineSteps(steps: readonly StepOutcome[]): Combined {
  let verdict: Verdict = 'allow';
  const reasons: string[] = [];
  for (const s of steps) {
    verdict = mostRestrictive(verdict, s.verdict);
    reasons.push(...s.reason_codes);
  }
  return { verdict, reason_codes: uniqueSorted(reasons) };
}

/**
 * The combined verdict with the steps it came from: computed once from the judged steps
 * (`combineVerdict`), then only ever replaced by a new value when an approval or a reservation
 * adds its own step (`withStep`, `withGrant`, `withLostGrant`). Frozen: nothing edits it.
 */
export interface CombinedVerdict extends Combined {
  readonly steps: readonly StepOutcome[];
}

const frozen = (verdict: Verdict, reasonCodes: string[], steps: readonly StepOutcome[]): CombinedVerdict =>
  Object.freeze({ verdict, reason_codes: reasonCodes, steps: Object.freeze([...steps]) });

export function combineVerdict(steps: readonly StepOutcome[]): CombinedVerdict {
  const c = combineSteps(steps);
  return frozen(c.verdict, c.reason_codes, steps);
}

/** A step taken after the combination (an approval refused or pending, a reservation): the strictest still wins. */
export function withStep(c: CombinedVerdict, step: StepOutcome): CombinedVerdict {
  return frozen(mostRestrictive(c.verdict, step.verdict), mergeUniqueSorted(c.reason_codes, step.reason_codes), [...c.steps, step]);
}

/**
 * An approved grant stands in for the policy's require_approval: the policy step is restated as
 * allow (`approval_granted`) and the approval step follows. Only the policy step asks for approval,
 * and only in enforce mode, where every lever and the trust step allow or block; so with nothing
 * blocking, what is left is allow.
 */
export function withGrant(c: CombinedVerdict, approval: StepOutcome): CombinedVerdict {
  if (c.verdict !== 'require_approval') throw new Error(`withGrant: the verdict is ${c.verdict}, nothing asks for approval`);
  const steps = c.steps.map((s) => (s.step === 'policy' && s.verdict === 'require_approval' ? { ...s, verdict: 'allow' as Verdict, reason_codes: [...s.reason_codes, 'approval_granted'] } : s));
  return frozen('allow', mergeUniqueSorted(c.reason_codes, approval.reason_codes), [...steps, approval]);
}

/**
 * The grant could not be consumed with the decision after all (another decision used it first):
 * the refusal replaces the approval step at the end. The policy step still says
 * `approval_granted`, so that reason code stays in the answer.
 */
export function withLostGrant(c: CombinedVerdict, refusal: StepOutcome): CombinedVerdict {
  return frozen(mostRestrictive(c.verdict, refusal.verdict), mergeUniqueSorted(c.reason_codes, refusal.reason_codes), [...c.steps.filter((s) => s.step !== 'approval'), refusal]);
}
