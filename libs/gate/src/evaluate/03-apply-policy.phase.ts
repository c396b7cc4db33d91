import { applyMode, type RolloutMode, type StepOutcome } from '../decide/combine.js';
import { evaluateIntent } from '../decide/evaluate.js';
import { GateInputError } from '../decide/input-error.js';
import { DEFAULT_TRUST_THRESHOLD, trustBlocks } from '../decide/trust.js';
import type { GateEvaluation } from '../decide/types.js';
import { invalidIntent, type ParsedRequest } from './01-parse.phase.js';
import type { LeverReadings } from './02-read-levers.phase.js';

/** What the policy file decided, under its rollout mode, with the trust threshold it carries. */
export interface PolicyJudgement {
  mode: RolloutMode | null;
  /** gait's evaluation of the intent; null when no policy of that name is active. */
  evaluation: GateEvaluation | null;
  policyDigest: string | null;
  policyStep: StepOutcome;
  /** null when the intent names no identity. */
  trustStep: StepOutcome | null;
  /** A rollout mode kept a policy-derived act (block, require_approval) from acting. */
  modeNeutralised: boolean;
}

/**
 * Phase 3: apply the policy file and its rollout mode. Pure. No active policy of the name blocks
 * (`no_active_policy`, fail closed); otherwise gait's evaluation, then the mode (observe, dry_run,
 * enforce) applied to it and to the trust threshold the policy carries. The levers' steps are not
 * touched: a policy in observe mode does not make a halted engine run.
 */
export function applyPolicy(request: ParsedRequest, readings: LeverReadings): PolicyJudgement {
  const { active, trust } = readings;
  const mode = active?.row.mode ?? null;
  let evaluation: GateEvaluation | null = null;
  let policyStep: StepOutcome;
  let modeNeutralised = false;
  if (!active) {
    const message = `no active gate policy named ${request.policyName}: failing closed`;
    policyStep = { step: 'policy', verdict: 'block', reason_codes: ['no_active_policy'], details: { policy: request.policyName, message } };
  } else {
    try {
      // An invalid intent reaches here only when fail_closed covers it (assertJudgeable): gait's block.
      evaluation = evaluateIntent(active.policy, request.intent ?? request.req.intent);
    } catch (e) {
      throw e instanceof GateInputError ? invalidIntent(e) : e;
    }
    const applied = applyMode(active.row.mode, evaluation.verdict, evaluation.reason_codes);
    modeNeutralised = applied.would_have !== null;
    policyStep = {
      step: 'policy',
      verdict: applied.verdict,
      reason_codes: applied.reason_codes,
      details: {
        policy: request.policyName,
        policy_digest: evaluation.policy_digest,
        mode: active.row.mode,
        policy_verdict: evaluation.verdict,
        matched_rule: evaluation.matched_rule,
        min_approvals: evaluation.min_approvals,
        evaluation: evaluation.trace,
      },
    };
  }

  let trustStep: StepOutcome | null = null;
  if (trust !== null) {
    const threshold = active ? Number(active.row.trust_threshold) : DEFAULT_TRUST_THRESHOLD;
    const details = { identity: request.identity, score: trust.score, source: trust.source, threshold };
    if (trustBlocks(trust.score, threshold)) {
      const applied = applyMode(mode ?? 'enforce', 'block', ['trust_below_threshold']);
      modeNeutralised ||= applied.would_have !== null;
      trustStep = { step: 'trust', verdict: applied.verdict, reason_codes: applied.reason_codes, details };
    } else {
      trustStep = { step: 'trust', verdict: 'allow', reason_codes: [], details };
    }
  }
  return { mode, evaluation, policyDigest: evaluation?.policy_digest ?? null, policyStep, trustStep, modeNeutralised };
}
