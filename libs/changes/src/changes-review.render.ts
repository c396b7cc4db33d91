import type { AttentionItem, ReviewRenderKit } from '#platform';

/** Change governance's section of the weekly review, as stored in the report (ChangesReviewService computes it). */
export interface ChangesReviewSection {
  /** Changes proposed in the week, by tier (1 auto-approved, 2 notify + proceed, 3 approval required, 4 always block). */
  by_tier: { tier_1: number; tier_2: number; tier_3: number; tier_4: number };
  /** Their outcome as of generation. */
  by_status: Record<string, number>;
  /** Held now, waiting for a person, and how long the oldest has waited. */
  held_now: number;
  oldest_held_minutes: number | null;
  held: Array<{ request_id: string; run_id: string; phase_id: string; tier: number; risk_level: string; waiting_minutes: number; paths: number }>;
  /** Break-glass uses in the week, and every break-glass whose retroactive review is still open (whenever it happened). */
  break_glass_uses: number;
  open_reviews: Array<{ request_id: string; by: string; reason: string; at: string; review_approval_id: string }>;
}

/** An open break-glass review needs a second operator: it stays here, week after week, until closed. */
export function changesAttention(d: ChangesReviewSection): AttentionItem[] {
  return (d.open_reviews ?? []).map((r) => ({
    kind: 'break_glass_review_open',
    subject: `change:${r.request_id}`,
    message: `break-glass by ${r.by} at ${r.at} (${r.reason}) awaits its retroactive review by a second operator (approval ${r.review_approval_id})`,
    // The retroactive review is an approval: it is decided on the approvals page.
    href: '/console/approvals',
    action: 'Review it on Approvals',
  }));
}

export function renderChangesSection(d: ChangesReviewSection, kit: ReviewRenderKit): string {
  const tiers = d.by_tier;
  return [
    `<dl><dt>tier 1 (auto-approved)</dt><dd>${kit.esc(tiers.tier_1)}</dd><dt>tier 2 (notify + proceed)</dt><dd>${kit.esc(tiers.tier_2)}</dd>`,
    `<dt>tier 3 (approval required)</dt><dd>${kit.esc(tiers.tier_3)}</dd><dt>tier 4 (always block)</dt><dd>${kit.esc(tiers.tier_4)}</dd>`,
    `<dt>held now</dt><dd>${kit.esc(d.held_now)}</dd><dt>oldest held (minutes)</dt><dd>${kit.esc(d.oldest_held_minutes)}</dd><dt>break-glass uses</dt><dd>${kit.esc(d.break_glass_uses)}</dd></dl>`,
    kit.table('Outcomes of the week\'s changes', Object.keys(d.by_status).length ? [d.by_status] : []),
    kit.table('Held changes (oldest first)', d.held),
    kit.table('Break-glass reviews still open', d.open_reviews),
  ].join('\n');
}
