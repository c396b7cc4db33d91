import type { AttentionItem, ReviewRenderKit } from '#platform';

type Verdict = 'promote' | 'borderline' | 'pilot' | 'demote' | 'no_go';

/** The promotion verdicts' section of the weekly review, as stored in the report (PromotionReviewSectionService computes it). */
export interface PromotionReviewSection {
  decisions: number;
  by_verdict: Array<{ verdict: Verdict; count: number }>;
  overrides_used: number;
  /** Per domain (null: evaluations that named none, listed last), with its newest verdict of the week. */
  domains: Array<
    { [verdict in Exclude<Verdict, 'borderline'>]: number } & {
      /** absent in reports stored before the foresight gate */
      borderline?: number;
      domain: string | null;
      decisions: number;
      overrides_used: number;
      latest_verdict: string;
      latest_at: string;
      reason_codes: Array<{ reason_code: string; count: number }>;
    }
  >;
  overrides: Array<{ decided_at: string; domain: string | null; source: string; verdict: string; decided_by: string; reason_codes: string[]; override_digest: string }>;
  /** The foresight gate's newest projection per domain (absent in reports stored before it). */
  forecasts?: Array<{ domain: string; week: string; verdict: string; confidence: number; projected_roi: number[]; collapse_risk: string; reason_codes: string[] }>;
}

/** A domain whose newest verdict of the week is a demotion, or a promote the foresight gate held for a borderline review (decisions without a domain name nothing to act on). */
export function promotionAttention(d: PromotionReviewSection): AttentionItem[] {
  return (d.domains ?? [])
    .filter((x) => x.domain !== null && (x.latest_verdict === 'demote' || x.latest_verdict === 'borderline'))
    .map((x) => {
      const codes = (x.reason_codes ?? []).map((r) => r.reason_code);
      const why = codes.length ? ` (${codes.join(', ')})` : '';
      return x.latest_verdict === 'demote'
        ? { kind: 'promotion_demoted', subject: `promotion:${x.domain}`, message: `${x.domain} was demoted by its latest promotion verdict${why}`, href: '/console/promotion', action: 'See its verdicts on Promotion' }
        : {
            kind: 'promotion_borderline',
            subject: `promotion:${x.domain}`,
            message: `${x.domain}'s promote waits for a borderline review: its forecast failed${why}`,
            href: '/console/approvals',
            action: 'Review it on Approvals',
          };
    });
}

/** Tables only: verdicts, per domain with its reason codes, and the decisions that used a signed override. */
export function renderPromotionSection(d: PromotionReviewSection, kit: ReviewRenderKit): string {
  const { esc, table } = kit;
  const codes = (rs: Array<{ reason_code: string; count: number }>) => rs.map((r) => `${r.reason_code} ×${r.count}`).join(', ') || null;
  return [
    `<p>Verdicts: <strong>${esc(d.decisions)}</strong> · signed overrides used: <strong>${esc(d.overrides_used)}</strong></p>`,
    table('Verdicts', d.by_verdict ?? [], ['verdict', 'count']),
    table('Per domain', (d.domains ?? []).map((x) => ({ ...x, borderline: x.borderline ?? 0, domain: x.domain ?? '(no domain)', reason_codes: codes(x.reason_codes) })), ['domain', 'decisions', 'promote', 'borderline', 'pilot', 'demote', 'no_go', 'overrides_used', 'latest_verdict', 'latest_at', 'reason_codes']),
    table(
      'Foresight: the projection of each promote (margin over the Heimdall bar, cycles 1..n)',
      (d.forecasts ?? []).map((f) => ({ ...f, projected_roi: f.projected_roi.map((r) => r.toFixed(3)).join(' → '), reason_codes: f.reason_codes.join(', ') || null })),
      ['domain', 'week', 'verdict', 'confidence', 'projected_roi', 'collapse_risk', 'reason_codes'],
    ),
    table('Decisions that used a signed override', (d.overrides ?? []).map((o) => ({ ...o, reason_codes: o.reason_codes.join(', ') })), ['decided_at', 'domain', 'source', 'verdict', 'decided_by', 'reason_codes']),
  ].join('\n');
}
