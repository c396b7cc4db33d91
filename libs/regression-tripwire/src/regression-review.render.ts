import type { AttentionItem, ReviewRenderKit } from '#platform';

/** The regression tripwire's section of the weekly review, as stored in the report (RegressionReviewService computes it). */
export interface RegressionReviewSection {
  fired: number;
  actions_taken: Array<{ domain: string; metric: string; action: string | null; count: number }>;
  actions_failed: number;
  /** Operator baseline resets: what re-arms a fired stream. */
  re_enables: number;
  by_stream: Array<{ domain: string; metric: string; type: string; action: string | null; count: number }>;
  timeline: Array<{ at: string; domain: string; metric: string; type: string; action: string | null; principal: string }>;
  current_states: Array<{
    domain: string;
    metric: string;
    status: string;
    action: string | null;
    action_status: string;
    triggered_at: string | null;
    trigger_count: number;
  }>;
}

/** A stream still triggered at generation needs attention. */
export function regressionAttention(d: RegressionReviewSection): AttentionItem[] {
  return (d.current_states ?? [])
    .filter((s) => s.status === 'triggered')
    .map((s) => ({
      kind: 'tripwire_triggered',
      subject: `tripwire:${s.domain}/${s.metric}`,
      message: `tripwire ${s.domain}/${s.metric} is still triggered${s.action ? ` (${s.action})` : ''}`,
      href: '/console/tripwires',
      action: 'Reset or re-enable on Tripwires',
    }));
}

/** The week's counts, a timeline of fires, actions and resets per stream (its events behind it), actions and states. */
export function renderRegressionSection(d: RegressionReviewSection, kit: ReviewRenderKit): string {
  const { esc, table, humanize } = kit;
  const events = d.timeline ?? [];
  // "DOMAIN / metric": the spaces let a long stream name wrap on the axis instead of running off it.
  const stream = (e: { domain: string; metric: string }) => `${e.domain} / ${e.metric}`;
  const streams = [...new Set(events.map(stream))];
  const types = [...new Set(events.map((e) => e.type))];
  const series = types.map((t) => ({ name: humanize(t), data: events.filter((e) => e.type === t).map((e) => [e.at, stream(e)] as [string, string]) }));
  return [
    `<p>Fired: <strong>${esc(d.fired)}</strong> · actions failed: <strong>${esc(d.actions_failed)}</strong> · re-enables (baseline resets): <strong>${esc(d.re_enables)}</strong></p>`,
    kit.figure('chart-tripwires', 'Tripwire timeline: fires, actions and resets in the week', kit.timeline('Tripwire timeline', kit.week.from, kit.week.to, streams, series), table('Tripwire events', events)),
    table('Actions taken', d.actions_taken ?? []),
    table('Current states', d.current_states ?? []),
  ].join('\n');
}
