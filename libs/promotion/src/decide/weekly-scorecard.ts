/**
 * The Friday job's scorecard of one Heimdall domain, in menace's fields, from the week's sandbox
 * trials (Heimdall) and the domain's tripwires (regression tripwire). Pure.
 *
 * | menace field       | from                                                                          |
 * | ------------------ | ----------------------------------------------------------------------------- |
 * | `alignment_status` | `fail` when a tripwire of the domain is `triggered`, else `pass`               |
 * | `security_status`  | absent (pass): Warden has no security signal per domain                        |
 * | `confidence`       | mean trial confidence of the week (null with no trial)                         |
 * | `sandbox_roi`      | the week's success rate (null with no trial)                                   |
 * | `adapter_roi`      | absent: no adapter ROI exists, so the micro-pilot trigger cannot fire by itself |
 * | `raroi`            | the worse of success rate / min_success_rate and trials / (7 x min_trials): 1.0 = the domain meets Heimdall's own bars over the whole week |
 * | `scenario_scores`  | the success rate of each day of the week that had trials, keyed by its date   |
 */
export interface WeekTrials {
  trials: number;
  successes: number;
  /** exact sum of confidences, as a decimal string */
  confidenceSum: string;
  days: Record<string, { trials: number; successes: number }>;
}

export interface DomainBars {
  min_success_rate: number;
  min_trials: number;
}

export interface TripwireState {
  metric: string;
  status: string;
}

export const WEEK_DAYS = 7;

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export function weeklyScorecard(week: WeekTrials | undefined, bars: DomainBars, tripwires: readonly TripwireState[]): Record<string, unknown> {
  const triggered = tripwires.filter((t) => t.status === 'triggered').map((t) => t.metric).sort();
  const card: Record<string, unknown> = {
    alignment_status: triggered.length ? 'fail' : 'pass',
    trials: week?.trials ?? 0,
    successes: week?.successes ?? 0,
    tripwires_triggered: triggered,
  };
  if (!week || week.trials === 0) {
    return { ...card, confidence: null, sandbox_roi: null, raroi: null, scenario_scores: {} };
  }
  const successRate = week.successes / week.trials;
  const rateRatio = bars.min_success_rate > 0 ? successRate / bars.min_success_rate : Number.POSITIVE_INFINITY;
  const volumeRatio = bars.min_trials > 0 ? week.trials / (WEEK_DAYS * bars.min_trials) : Number.POSITIVE_INFINITY;
  const raroi = Math.min(rateRatio, volumeRatio);
  const scenario_scores: Record<string, number> = {};
  for (const day of Object.keys(week.days).sort()) {
    const d = week.days[day];
    if (d.trials > 0) scenario_scores[day] = round(d.successes / d.trials);
  }
  return {
    ...card,
    confidence: round(Number(week.confidenceSum) / week.trials),
    sandbox_roi: round(successRate),
    raroi: Number.isFinite(raroi) ? round(raroi) : null,
    scenario_scores,
  };
}
