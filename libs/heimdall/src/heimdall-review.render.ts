import type { ReviewRenderKit } from '#platform';

/** Heimdall's section of the weekly review, as stored in the report (HeimdallReviewService computes it; rates are decimal strings). */
export interface HeimdallReviewSection {
  scorecards: Array<{ day: string; domain: string; trials: number; successes: number; success_rate: string | null; mean_confidence: string | null }>;
  recommendations: number;
  eligible: number;
  eligibility_rate: string | null;
  domains: Array<{
    domain: string;
    trials: number;
    successes: number;
    success_rate: string | null;
    mean_confidence: string | null;
    prod_use_enabled: boolean;
    recommendations: number;
    eligible: number;
    gates: { min_trials: number; min_success_rate: string; min_confidence: string };
    /** value − gate: negative is short of the gate. */
    distance: { trials: number; success_rate: string | null; confidence: string | null };
  }>;
}

/** The week's recommendations, each domain's success rate against its gate as a chart (the domains behind it), and the daily scorecards. */
export function renderHeimdallSection(d: HeimdallReviewSection, kit: ReviewRenderKit): string {
  const { esc, table, percent, pct, points } = kit;
  const domains = d.domains ?? [];
  return [
    `<p>Recommendations: <strong>${esc(d.recommendations)}</strong> · prod-eligible: <strong>${esc(d.eligible)}</strong> · eligibility rate: <strong>${esc(pct(d.eligibility_rate))}</strong></p>`,
    kit.figure('chart-heimdall', 'Heimdall success rate per domain against its gate (%)',
      kit.ratesAgainstGates('Heimdall success rates against their gates', domains.map((x) => x.domain), domains.map((x) => percent(x.success_rate)), domains.map((x) => percent(x.gates.min_success_rate) ?? 0)),
      table(
        'Domains against their gates',
        domains.map((x) => ({
          domain: x.domain,
          trials: x.trials,
          min_trials: x.gates.min_trials,
          trials_short_by: Math.max(0, -x.distance.trials),
          success_rate: x.success_rate,
          min_success_rate: x.gates.min_success_rate,
          success_rate_distance: points(x.distance.success_rate),
          mean_confidence: x.mean_confidence,
          min_confidence: x.gates.min_confidence,
          confidence_distance: points(x.distance.confidence),
        })),
      )),
    table('Daily scorecards', d.scorecards ?? []),
  ].join('\n');
}
