import type { ReviewRenderKit } from '#platform';

/** The control plane's section of the weekly review, as stored in the report (GoLiveReviewService computes it). */
export interface GoLiveReviewSection {
  state_now: { go_live_enabled: boolean; kill_switch_engaged: boolean; enforced: boolean; reason: string | null; changed_by: string; updated_at: string };
  /** Every go-live and kill-switch change of the week, from the audit trail (attestations left out). */
  changes: Array<{ at: string; action: string; principal: string; actor: string | null; reason: string | null }>;
}

/** The state now and the week's changes, as tables. */
export function renderGoLiveSection(d: GoLiveReviewSection, kit: ReviewRenderKit): string {
  return kit.plain(d);
}
