/**
 * The foresight gate (menace's `foresight_gate.is_foresight_safe_to_promote`, read at
 * Demi-urge/menace_sandbox 1f0fcd07): before a Friday `promote` is final, the domain is projected
 * forward from what Warden already holds, and a projection that fails downgrades the verdict. Pure.
 *
 * menace forecasts ROI per cycle with a trained UpgradeForecaster; Warden has no forecaster, so the
 * projection is an explainable trend instead:
 *   - a day's "roi" is its sandbox success rate minus the domain's Heimdall bar (min_success_rate):
 *     the margin by which the domain meets its own bar (>= 0: it does);
 *   - a least-squares line through the week's days with trials, projected `horizon` days (cycles)
 *     past the week (menace clamps its horizon to 3..5; default 5);
 *   - the forecast's confidence is the week's mean trial confidence times the share of the week's
 *     days that had trials (a trend from two days is worth less than one from seven).
 * Checks, in menace's order and with its reason codes:
 *   - `projected_roi_below_threshold`: a cycle's projection under `roi_threshold` (0.0);
 *   - `low_confidence`: the forecast's confidence under `confidence_threshold` (0.6);
 *   - `roi_collapse_risk`: the projection crosses the Heimdall bar within the horizon while the
 *     latest day is above it (menace's "Immediate collapse risk" when that is the first cycle), or a
 *     tripwire of the domain is brittle: still ok, but its KPI already fell by half the drop that
 *     trips it (menace's `brittle`).
 * menace's impact-wave check (`negative_dag_impact`) has no counterpart: Warden holds no workflow graph.
 */

export const FORESIGHT_REASONS = {
  roi: 'projected_roi_below_threshold',
  confidence: 'low_confidence',
  collapse: 'roi_collapse_risk',
} as const;

export const FORESIGHT_DEFAULTS = { roi_threshold: 0.0, confidence_threshold: 0.6, horizon: 5 } as const;

export interface ForesightDay {
  /** YYYY-MM-DD */
  day: string;
  trials: number;
  successes: number;
  confidenceSum: number;
}

export interface ForesightTripwire {
  metric: string;
  status: string;
  /** the KPI's observed fractional drop (current vs baseline window); null before an evaluation */
  drop: number | null;
  max_drop_fraction: number;
}

export interface ForesightInput {
  domain: string;
  /** the Friday of the review (YYYY-MM-DD); the week is the seven days before it */
  week: string;
  days: readonly ForesightDay[];
  /** Heimdall's bar for the domain */
  minSuccessRate: number;
  tripwires: readonly ForesightTripwire[];
  roi_threshold?: number;
  confidence_threshold?: number;
  horizon?: number;
}

/** menace's CycleProjection, field for field. */
export interface CycleProjection {
  cycle: number;
  roi: number;
  risk: number;
  confidence: number;
  decay: number;
}

export interface ForesightResult {
  safe: boolean;
  reason_codes: string[];
  /** menace's ForecastResult */
  forecast: { projections: CycleProjection[]; confidence: number; upgrade_id: string };
  /** why: the line, the crossing and the brittle tripwires */
  trend: { method: 'least_squares_daily_margin'; slope: number; intercept: number; observed_days: number; latest_margin: number | null; residual_sd: number };
  collapse: { risk: 'Stable' | 'Collapse risk' | 'Immediate collapse risk'; crossing_cycle: number | null; brittle: string[] };
  thresholds: { roi_threshold: number; confidence_threshold: number; horizon: number };
}

const WEEK_DAYS = 7;
/** Six decimals, and never -0 (a projection of exactly the bar reads 0). */
const round = (v: number) => Math.round(v * 1e6) / 1e6 || 0;
const DAY_MS = 86_400_000;

export function foresight(input: ForesightInput): ForesightResult {
  const roiThreshold = input.roi_threshold ?? FORESIGHT_DEFAULTS.roi_threshold;
  const confidenceThreshold = input.confidence_threshold ?? FORESIGHT_DEFAULTS.confidence_threshold;
  const horizon = Math.min(5, Math.max(3, Math.trunc(input.horizon ?? FORESIGHT_DEFAULTS.horizon)));
  const first = Date.parse(`${input.week}T00:00:00Z`) - WEEK_DAYS * DAY_MS;
  // x = the day's offset in the week (0 = the Friday before, 6 = Thursday); days outside are ignored.
  const points = input.days
    .filter((d) => d.trials > 0)
    .map((d) => ({ x: Math.round((Date.parse(`${d.day}T00:00:00Z`) - first) / DAY_MS), y: d.successes / d.trials - input.minSuccessRate, d }))
    .filter((p) => p.x >= 0 && p.x < WEEK_DAYS)
    .sort((a, b) => a.x - b.x);

  const { slope, intercept, residualSd } = fitLine(points);
  const trials = points.reduce((s, p) => s + p.d.trials, 0);
  const meanConfidence = trials > 0 ? points.reduce((s, p) => s + p.d.confidenceSum, 0) / trials : 0;
  const confidence = round(Math.min(1, Math.max(0, meanConfidence * (points.length / WEEK_DAYS))));

  const projections: CycleProjection[] = [];
  for (let k = 1; k <= horizon; k += 1) {
    const risk = Math.min(1, residualSd * Math.sqrt(k));
    projections.push({ cycle: k, roi: round(intercept + slope * (WEEK_DAYS - 1 + k)), risk: round(risk), confidence: round(confidence * (1 - risk)), decay: round(Math.max(0, -slope)) });
  }

  const latest = points.length ? points[points.length - 1]!.y : null;
  const crossingAt = latest !== null && latest >= 0 ? projections.find((p) => p.roi < 0)?.cycle ?? null : null;
  const brittle = input.tripwires
    .filter((t) => t.status === 'ok' && t.drop !== null && t.max_drop_fraction > 0 && t.drop >= t.max_drop_fraction / 2)
    .map((t) => t.metric)
    .sort();

  const reasons: string[] = [];
  if (projections.some((p) => p.roi < roiThreshold)) reasons.push(FORESIGHT_REASONS.roi);
  if (confidence < confidenceThreshold) reasons.push(FORESIGHT_REASONS.confidence);
  if (crossingAt !== null || brittle.length > 0) reasons.push(FORESIGHT_REASONS.collapse);

  return {
    safe: reasons.length === 0,
    reason_codes: reasons,
    forecast: { projections, confidence, upgrade_id: `promotion:${input.domain}:${input.week}` },
    trend: { method: 'least_squares_daily_margin', slope: round(slope), intercept: round(intercept), observed_days: points.length, latest_margin: latest === null ? null : round(latest), residual_sd: round(residualSd) },
    collapse: { risk: crossingAt === 1 ? 'Immediate collapse risk' : crossingAt !== null || brittle.length ? 'Collapse risk' : 'Stable', crossing_cycle: crossingAt, brittle },
    thresholds: { roi_threshold: roiThreshold, confidence_threshold: confidenceThreshold, horizon },
  };
}

/** Least squares y = intercept + slope·x; one point (or none) is a flat line through it. */
function fitLine(points: ReadonlyArray<{ x: number; y: number }>): { slope: number; intercept: number; residualSd: number } {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: 0, residualSd: 0 };
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const slope = sxx > 0 ? points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx : 0;
  const intercept = my - slope * mx;
  const sse = points.reduce((s, p) => s + (p.y - (intercept + slope * p.x)) ** 2, 0);
  return { slope, intercept, residualSd: n > 2 ? Math.sqrt(sse / (n - 2)) : 0 };
}

/** The verdicts the Friday review can end with: the rules' four, and the foresight gate's borderline. */
export type ReviewVerdict = 'promote' | 'demote' | 'pilot' | 'no_go' | 'borderline';

/**
 * What the gate does to a verdict: only a `promote` is looked at, and a failed forecast makes it
 * `borderline` (a borderline review is filed) or, with no review configured, `pilot` — menace's
 * downgrade. It never upgrades: every other verdict, and a safe forecast, leave the verdict as it is.
 */
export function applyForesight(verdict: ReviewVerdict, result: ForesightResult | null, borderlineReview: boolean): ReviewVerdict {
  if (verdict !== 'promote' || result === null || result.safe) return verdict;
  return borderlineReview ? 'borderline' : 'pilot';
}

/** How far a verdict lets the domain go: promote > borderline (a person decides) > pilot > no_go > demote. */
export const VERDICT_RANK: Record<ReviewVerdict, number> = { promote: 4, borderline: 3, pilot: 2, no_go: 1, demote: 0 };

/**
 * The decision-log record, in menace's `forecast_records/decision_log.jsonl` fields (ForecastLogger
 * + log_forecast_record: `timestamp` in whole seconds, `workflow_id`, `forecast`, `decision` (the final verdict),
 * `reason_codes`), plus Warden's explanation (`trend`, `collapse`, `thresholds`).
 */
export function forecastRecord(at: Date, domain: string, result: ForesightResult, decision: ReviewVerdict): Record<string, unknown> {
  return {
    timestamp: Math.floor(at.getTime() / 1000),
    workflow_id: domain,
    forecast: result.forecast,
    decision,
    reason_codes: result.reason_codes,
    trend: result.trend,
    collapse: result.collapse,
    thresholds: result.thresholds,
  };
}
