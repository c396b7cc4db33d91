import type { AttentionItem, ReviewRenderKit } from '#platform';

type Verdict = 'promote' | 'pilot' | 'demote' | 'no_go';

/** The promotion verdicts' section of the weekly review, as stored in the report (PromotionReviewSectionService computes it). */
export interface PromotionReviewSection {
  decisions: number;
  by_verdict: Array<{ verdict: Verdict; count: number }>;
  overrides_used: number;
  /** Per domain (null: evaluations that named none, listed last), with its newest verdict of the week. */
  domains: Array<
    { [verdict in Verdict]: number } & {
      domain: string | null;
      decisions: number;
      overrides_used: number;
      latest_verdict: string;
      latest_at: string;
      reason_codes: Array<{ reason_code: string; count: number }>;
    }
  >;
  overrides: Array<{ decided_at: string; domain: string | null; source: string; verdict: string; decided_by: string; reason_codes: string[]; override_digest: string }>;
}

/** A domain whose newest verdict of the week is a demotion (decisions without a domain name nothing to act on). */
export function promotionAttention(d: PromotionReviewSection): AttentionItem[] {
  return (d.domains ?? [])
    .filter((x) => x.domain !== null && x.latest_verdict === 'demote')
    .map((x) => {
      const codes = (x.reason_codes ?? []).map((r) => r.reason_code);
      return {
        kind: 'promotion_demoted',
        subject: `promotion:${x.domain}`,
        message: `${x.domain} was demoted by its latest promotion verdict${codes.length ? ` (${codes.join(', ')})` : ''}`,
        href: '/console/promotion',
        action: 'See its verdicts on Promotion',
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
    table('Per domain', (d.domains ?? []).map((x) => ({ ...x, domain: x.domain ?? '(no domain)', reason_codes: codes(x.reason_codes) })), ['domain', 'decisions', 'promote', 'pilot', 'demote', 'no_go', 'overrides_used', 'latest_verdict', 'latest_at', 'reason_codes']),
    table('Decisions that used a signed override', (d.overrides ?? []).map((o) => ({ ...o, reason_codes: o.reason_codes.join(', ') })), ['decided_at', 'domain', 'source', 'verdict', 'decided_by', 'reason_codes']),
  ].join('\n');
}
