import type { ReviewRenderKit } from '#platform';

/** The gate's section of the weekly review, as stored in the report (GateReviewService computes it). */
export interface GateReviewSection {
  /** Real evaluations; simulated ones decided nothing and count only in `simulated`. */
  decisions: number;
  by_verdict: Array<{ verdict: 'allow' | 'dry_run' | 'require_approval' | 'block'; count: number }>;
  would_have_blocked: { observe: number; dry_run: number; simulate: number };
  simulated: number;
  approvals_filed: number;
  approvals_consumed: number;
  top_reason_codes: Array<{ reason_code: string; count: number }>;
}

/** The week's counts, decisions by verdict, what enforcing would have blocked, and the top reason codes as a chart. */
export function renderGateSection(d: GateReviewSection, kit: ReviewRenderKit): string {
  const { esc, table, humanize } = kit;
  const reasons = d.top_reason_codes ?? [];
  const whb = d.would_have_blocked;
  return [
    `<p>Decisions: <strong>${esc(d.decisions)}</strong> · approvals filed: <strong>${esc(d.approvals_filed)}</strong> · approvals consumed: <strong>${esc(d.approvals_consumed)}</strong> · simulated evaluations: <strong>${esc(d.simulated)}</strong></p>`,
    table('Decisions by verdict', (d.by_verdict ?? []).map((v) => ({ ...v, verdict: humanize(v.verdict) })), ['verdict', 'count']),
    table('Would have blocked, had the policy enforced', whb ? [{ 'observe mode': whb.observe, 'dry run mode': whb.dry_run, simulated: whb.simulate }] : []),
    reasons.length
      ? kit.figure('chart-gate-reasons', 'Gate: top reason codes of the week', kit.horizontalBars('Gate reason codes', reasons.map((r) => humanize(r.reason_code)), reasons.map((r) => r.count)), table('Top reason codes', reasons))
      : table('Top reason codes', []),
  ].join('\n');
}
