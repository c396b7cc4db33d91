import { traceId } from './digest.js';
import { mergeUniqueSorted } from './strings.js';
import type { GateEvaluation } from './types.js';

/** gait's stable exit codes. */
export const EXIT = { ok: 0, internal: 1, block: 3, require_approval: 4, invalid: 6 } as const;

export const exitCodeFor = (verdict: string): number =>
  verdict === 'block' ? EXIT.block : verdict === 'require_approval' ? EXIT.require_approval : EXIT.ok;

export interface SimulatedEvaluation extends GateEvaluation {
  simulate_mode: true;
  would_have_blocked: boolean;
  simulated_verdict: GateEvaluation['verdict'];
  simulated_reason_codes: string[];
}

/**
 * gait's `--simulate`: never enforcing. Adds `simulate_mode_non_enforcing`; a block or
 * require_approval becomes allow with `simulated_<verdict>` and no violations. The trace id is
 * derived from the reported (allow) verdict, as gait emits its trace after the rewrite.
 */
export function applySimulate(e: GateEvaluation): SimulatedEvaluation {
  const wouldHaveBlocked = e.verdict === 'block' || e.verdict === 'require_approval';
  let reasons = mergeUniqueSorted(e.reason_codes, ['simulate_mode_non_enforcing']);
  if (wouldHaveBlocked) reasons = mergeUniqueSorted(reasons, [`simulated_${e.verdict}`]);
  const verdict = wouldHaveBlocked ? 'allow' : e.verdict;
  return {
    ...e,
    verdict,
    reason_codes: reasons,
    violations: wouldHaveBlocked ? [] : e.violations,
    trace_id: traceId(e.policy_digest, e.intent_digest ?? '', verdict),
    trace: [...e.trace, { step: 'decision', simulate: true, simulated_verdict: e.verdict, reported_verdict: verdict }],
    simulate_mode: true,
    would_have_blocked: wouldHaveBlocked,
    simulated_verdict: e.verdict,
    simulated_reason_codes: e.reason_codes,
  };
}
