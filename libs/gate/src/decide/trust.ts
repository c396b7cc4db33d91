/**
 * Trust per identity: a Beta-Bernoulli estimate of "an allowed action of this identity turns out
 * fine". The prior is worth `strength` pseudo-observations at `mean`; each reported outcome adds
 * one real observation: score = (mean·k + allowed) / (k + allowed + violations), the posterior mean.
 * Few observations stay near the prior (a newcomer is neither trusted nor distrusted much), many
 * outweigh it. An operator's override replaces the estimate while it is set.
 */
export interface TrustPrior {
  /** Prior mean in [0, 1]. */
  mean: number;
  /** Prior strength: pseudo-observations, > 0. */
  strength: number;
}

export const DEFAULT_TRUST_PRIOR: TrustPrior = { mean: 0.8, strength: 10 };
/** Below this score the gate blocks (`trust_below_threshold`), unless a policy sets its own. */
export const DEFAULT_TRUST_THRESHOLD = 0.5;

export interface TrustEvidence {
  allowed: number;
  violations: number;
  /** The operator's score while an override is set, else null. */
  override: number | null;
}

export interface TrustScore {
  score: number;
  /** The estimate from the evidence alone (what the score is when no override is set). */
  estimate: number;
  source: 'override' | 'evidence';
}

export function assertPrior(prior: TrustPrior): void {
  if (!(prior.mean >= 0 && prior.mean <= 1) || !(prior.strength > 0) || !Number.isFinite(prior.strength)) {
    throw new RangeError(`trust prior must have mean in [0, 1] and strength > 0, got ${JSON.stringify(prior)}`);
  }
}

/** The posterior mean; counts must be non-negative integers. */
export function trustEstimate(allowed: number, violations: number, prior: TrustPrior = DEFAULT_TRUST_PRIOR): number {
  if (!Number.isSafeInteger(allowed) || !Number.isSafeInteger(violations) || allowed < 0 || violations < 0) {
    throw new RangeError(`outcome counts must be non-negative integers, got ${allowed}/${violations}`);
  }
  return (prior.mean * prior.strength + allowed) / (prior.strength + allowed + violations);
}

export function trustScore(evidence: TrustEvidence, prior: TrustPrior = DEFAULT_TRUST_PRIOR): TrustScore {
  const estimate = trustEstimate(evidence.allowed, evidence.violations, prior);
  return evidence.override === null ? { score: estimate, estimate, source: 'evidence' } : { score: evidence.override, estimate, source: 'override' };
}

/** Below the threshold blocks; the threshold itself passes (0.5 with threshold 0.5 is allowed). */
export const trustBlocks = (score: number, threshold: number): boolean => score < threshold;
