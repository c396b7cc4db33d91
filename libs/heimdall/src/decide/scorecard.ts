import { evaluateGates, type GateDecision, type GatePolicy, summarize } from './gates.js';
import { D, normalizeRatio } from './ratio.js';

/** A policy as stored: thresholds as canonical decimal text. */
export interface StoredPolicy {
  min_confidence: string;
  min_trials: number;
  min_success_rate: string;
  prod_use_enabled: boolean;
  window_days: number;
}

export function gatePolicy(p: StoredPolicy): GatePolicy {
  return {
    minConfidence: normalizeRatio(p.min_confidence)!,
    minTrials: p.min_trials,
    minSuccessRate: normalizeRatio(p.min_success_rate)!,
    prodUseEnabled: p.prod_use_enabled,
    windowDays: p.window_days,
  };
}

export interface WindowCounters {
  trials: number;
  successes: number;
  /** Exact sum of the window's trial confidences (decimal text). */
  confidenceSum: string;
}

export interface WindowJudgement extends GateDecision {
  success_rate: number | null;
  avg_confidence: number | null;
  confidence_sum: string;
  summary: string;
}

/**
 * A domain's window judged as a whole. The confidence gate judges a recommendation at the window's
 * average confidence: what a typical recommendation of this domain would get now.
 */
export function judgeWindow(domain: string, policy: StoredPolicy, w: WindowCounters, killSwitchEngaged: boolean): WindowJudgement {
  const avg = w.trials === 0 ? null : new D(w.confidenceSum).div(w.trials);
  const decision = evaluateGates({
    policy: gatePolicy(policy),
    window: { trials: w.trials, successes: w.successes },
    confidence: avg === null ? null : (normalizeRatio(avg.toDecimalPlaces(30, D.ROUND_DOWN).toFixed()) ?? null),
    killSwitchEngaged,
  });
  return {
    success_rate: w.trials === 0 ? null : w.successes / w.trials,
    avg_confidence: avg === null ? null : avg.toNumber(),
    confidence_sum: new D(w.confidenceSum).toFixed(),
    ...decision,
    summary: summarize(domain, decision),
  };
}
