export const VERDICTS = ['promote', 'demote', 'pilot', 'no_go'] as const;
export type Verdict = (typeof VERDICTS)[number];
/** What a decision of the log can say: the rules' verdicts, and `borderline`, which only the foresight gate gives (decide/foresight.ts). */
export const LOG_VERDICTS = [...VERDICTS, 'borderline'] as const;

export const isVerdict = (v: unknown): v is Verdict => typeof v === 'string' && (VERDICTS as readonly string[]).includes(v);

/**
 * Invalid input to the promotion review: a scorecard, policy, rule file or override that cannot
 * be evaluated. `code` is stable (the HTTP layer maps these to 400, the CLI to exit 6).
 */
export class PromotionInputError extends Error {
  constructor(
    readonly code:
      | 'invalid_scorecard'
      | 'invalid_policy'
      | 'invalid_rule_file'
      | 'rule_compile_error'
      | 'invalid_override'
      | 'override_bad_signature'
      | 'override_already_used',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PromotionInputError';
  }
}

/** One step of the evaluation, in the order it ran. */
export type TraceEntry =
  | { step: 'alignment_veto' | 'security_veto'; status: string; result: 'pass' | 'veto' }
  /** the foresight gate on a Friday promote (decide/foresight.ts): its verdict, and why */
  | { step: 'foresight'; safe: boolean; reason_codes: string[]; confidence: number; result: 'promote' | 'borderline' | 'pilot' }
  | { step: 'micro_pilot'; sandbox_roi: number | null; adapter_roi: number | null; sandbox_low: number; adapter_high: number; result: 'pilot' | 'not_triggered' | 'bypassed' }
  | { step: 'variance'; variance: number | null; max_variance: number | null; result: 'no_go' | 'ok' | 'skipped' }
  | { step: 'scenario_thresholds'; below_min: string[]; result: 'no_go' | 'ok' | 'skipped' }
  | {
      step: 'rule';
      index: number;
      source: 'file' | 'builtin';
      decision: Verdict;
      reason_code: string;
      condition: string;
      result: 'fired' | 'false' | 'error' | 'bypassed' | 'missing_metric';
      error?: string;
      /** result missing_metric: the scorecard metrics the condition names and the scorecard lacks */
      missing?: string[];
    }
  | { step: 'rule_evaluation_error'; rules: number[]; result: 'no_go' }
  | { step: 'override'; bypass_micro_pilot: boolean; forced_verdict: string | null; result: 'applied' | 'ignored_unknown_verdict' | 'none' };

/** Python's bool() of a JSON value. */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}
