import type { ReportSection, WeeklyReport } from '../decide/report.js';
import { groupedBars, horizontalBars, ratesAgainstGates, timeline } from './charts.js';

/* The fields of the sections the page draws (each lever's review service documents them). */
type Row = Record<string, unknown>;
interface RiskData { daily?: Array<{ day: string; engine: string; peak_ratio: string | null; exposure_used: string; max_daily_exposure: string | null; realized_loss: string; max_daily_loss: string | null; actions: number; denials: number }>; denials?: Array<{ engine: string; reason_code: string; count: number }>; peaks?: Row[]; expired_or_voided?: Row[] }
interface TripwireData { timeline?: Array<{ at: string; domain: string; metric: string; type: string; action: string | null; principal: string }>; current_states?: Row[]; fired?: number; re_enables?: number; actions_failed?: number; actions_taken?: Row[] }
interface HeimdallData { domains?: Array<{ domain: string; success_rate: string | null; gates: { min_success_rate: string; min_trials: number; min_confidence: string }; trials: number; distance: Row }>; eligibility_rate?: string | null; recommendations?: number; eligible?: number; scorecards?: Row[] }
interface GateData { decisions?: number; by_verdict?: Array<{ verdict: string; count: number }>; would_have_blocked?: { observe: number; dry_run: number; simulate: number }; simulated?: number; approvals_filed?: number; approvals_consumed?: number; top_reason_codes?: Array<{ reason_code: string; count: number }> }
interface PromotionData { decisions?: number; by_verdict?: Array<{ verdict: string; count: number }>; overrides_used?: number; domains?: Array<Row & { domain: string | null; reason_codes: Array<{ reason_code: string; count: number }> }>; overrides?: Array<Row & { reason_codes: string[] }> }

export function esc(v: unknown): string {
  return String(v ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function table(caption: string, rows: Row[], columns?: string[]): string {
  if (rows.length === 0) return `<p class="empty">${esc(caption)}: none.</p>`;
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => (v !== null && typeof v === 'object' ? esc(JSON.stringify(v)) : esc(v));
  return `<table><caption>${esc(caption)}</caption><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function figure(id: string, caption: string, svg: string, fallback: string): string {
  return `<figure aria-labelledby="${id}"><div class="chart" role="img" aria-labelledby="${id}">${svg}</div><figcaption id="${id}">${esc(caption)}</figcaption>
<details><summary>Data behind the chart: ${esc(caption)}</summary>${fallback}</details></figure>`;
}

const pct = (ratio: string | null) => (ratio === null ? null : Math.round(Number(ratio) * 1000) / 10);

function riskHtml(d: RiskData, report: WeeklyReport): string {
  const daily = d.daily ?? [];
  const days = Array.from({ length: 7 }, (_, i) => new Date(Date.parse(report.from) + i * 86_400_000).toISOString().slice(0, 10));
  const engines = [...new Set(daily.map((r) => r.engine))];
  const series = engines.map((e) => ({ name: e, data: days.map((day) => pct(daily.find((r) => r.engine === e && r.day === day)?.peak_ratio ?? null)) }));
  const byReason = new Map<string, number>();
  for (const r of d.denials ?? []) byReason.set(r.reason_code, (byReason.get(r.reason_code) ?? 0) + r.count);
  const reasons = [...byReason.entries()].sort((a, b) => b[1] - a[1]);
  return [
    figure('chart-utilisation', 'Daily utilisation per engine: highest share of any cap used that day (%)', groupedBars('Daily utilisation per engine', days, series, '%', 100),
      table('Daily use against caps', daily as unknown as Row[], ['day', 'engine', 'peak_ratio', 'exposure_used', 'max_daily_exposure', 'realized_loss', 'max_daily_loss', 'actions', 'denials'])),
    figure('chart-denials', 'Denials by reason code', horizontalBars('Denials by reason', reasons.map((r) => r[0]), reasons.map((r) => r[1])), table('Denials by engine and reason', (d.denials ?? []) as unknown as Row[])),
    table('Peaks and realized loss against the loss cap, per engine', d.peaks ?? []),
    table('Reservations expired or voided', d.expired_or_voided ?? []),
  ].join('\n');
}

function tripwireHtml(d: TripwireData, report: WeeklyReport): string {
  const events = d.timeline ?? [];
  const streams = [...new Set(events.map((e) => `${e.domain}/${e.metric}`))];
  const types = [...new Set(events.map((e) => e.type))];
  const series = types.map((t) => ({ name: t, data: events.filter((e) => e.type === t).map((e) => [e.at, `${e.domain}/${e.metric}`] as [string, string]) }));
  return [
    `<p>Fired: <strong>${esc(d.fired)}</strong> · actions failed: <strong>${esc(d.actions_failed)}</strong> · re-enables (baseline resets): <strong>${esc(d.re_enables)}</strong></p>`,
    figure('chart-tripwires', 'Tripwire timeline: fires, actions and resets in the week', timeline('Tripwire timeline', report.from, report.to, streams, series), table('Tripwire events', events as unknown as Row[])),
    table('Actions taken', d.actions_taken ?? []),
    table('Current states', d.current_states ?? []),
  ].join('\n');
}

function heimdallHtml(d: HeimdallData): string {
  const domains = d.domains ?? [];
  return [
    `<p>Recommendations: <strong>${esc(d.recommendations)}</strong> · prod-eligible: <strong>${esc(d.eligible)}</strong> · eligibility rate: <strong>${esc(d.eligibility_rate)}</strong></p>`,
    figure('chart-heimdall', 'Heimdall success rate per domain against its gate (%)',
      ratesAgainstGates('Heimdall success rates against their gates', domains.map((x) => x.domain), domains.map((x) => pct(x.success_rate)), domains.map((x) => pct(x.gates.min_success_rate) ?? 0)),
      table('Domains against their gates', domains.map((x) => ({ domain: x.domain, trials: x.trials, success_rate: x.success_rate, min_success_rate: x.gates.min_success_rate, min_trials: x.gates.min_trials, distance: x.distance })))),
    table('Daily scorecards', d.scorecards ?? []),
  ].join('\n');
}

function gateHtml(d: GateData): string {
  const reasons = d.top_reason_codes ?? [];
  const whb = d.would_have_blocked;
  return [
    `<p>Decisions: <strong>${esc(d.decisions)}</strong> · approvals filed: <strong>${esc(d.approvals_filed)}</strong> · approvals consumed: <strong>${esc(d.approvals_consumed)}</strong> · simulated evaluations: <strong>${esc(d.simulated)}</strong></p>`,
    table('Decisions by verdict', (d.by_verdict ?? []) as unknown as Row[], ['verdict', 'count']),
    table('Would have blocked, had the policy enforced', whb ? [{ 'observe mode': whb.observe, 'dry_run mode': whb.dry_run, simulated: whb.simulate }] : []),
    reasons.length
      ? figure('chart-gate-reasons', 'Gate: top reason codes of the week', horizontalBars('Gate reason codes', reasons.map((r) => r.reason_code), reasons.map((r) => r.count)), table('Top reason codes', reasons as unknown as Row[]))
      : table('Top reason codes', []),
  ].join('\n');
}

function promotionHtml(d: PromotionData): string {
  const codes = (rs: Array<{ reason_code: string; count: number }>) => rs.map((r) => `${r.reason_code} ×${r.count}`).join(', ') || null;
  return [
    `<p>Verdicts: <strong>${esc(d.decisions)}</strong> · signed overrides used: <strong>${esc(d.overrides_used)}</strong></p>`,
    table('Verdicts', (d.by_verdict ?? []) as unknown as Row[], ['verdict', 'count']),
    table('Per domain', (d.domains ?? []).map((x) => ({ ...x, domain: x.domain ?? '(no domain)', reason_codes: codes(x.reason_codes) })), ['domain', 'decisions', 'promote', 'pilot', 'demote', 'no_go', 'overrides_used', 'latest_verdict', 'latest_at', 'reason_codes']),
    table('Decisions that used a signed override', (d.overrides ?? []).map((o) => ({ ...o, reason_codes: o.reason_codes.join(', ') })), ['decided_at', 'domain', 'source', 'verdict', 'decided_by', 'reason_codes']),
  ].join('\n');
}

function plainHtml(data: Row): string {
  const scalars = Object.entries(data).filter(([, v]) => v === null || typeof v !== 'object');
  const lists = Object.entries(data).filter(([, v]) => Array.isArray(v)) as Array<[string, Row[]]>;
  const objects = Object.entries(data).filter(([, v]) => v !== null && typeof v === 'object' && !Array.isArray(v)) as Array<[string, Row]>;
  return [
    scalars.length ? `<dl>${scalars.map(([k, v]) => `<dt>${esc(k.replace(/_/g, ' '))}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` : '',
    ...objects.map(([k, v]) => table(k.replace(/_/g, ' '), [v])),
    ...lists.map(([k, v]) => table(k.replace(/_/g, ' '), v)),
  ].join('\n');
}

function sectionHtml(s: ReportSection, report: WeeklyReport): string {
  const body =
    s.status === 'not_built_yet' || !s.data
      ? '<p class="empty">Not built yet: this lever has not registered its review section.</p>'
      : s.key === 'risk'
        ? riskHtml(s.data as RiskData, report)
        : s.key === 'regression_tripwire'
          ? tripwireHtml(s.data as TripwireData, report)
          : s.key === 'heimdall'
            ? heimdallHtml(s.data as HeimdallData)
            : s.key === 'gate'
              ? gateHtml(s.data as GateData)
              : s.key === 'promotion'
                ? promotionHtml(s.data as PromotionData)
                : plainHtml(s.data);
  return `<section aria-labelledby="s-${esc(s.key)}"><h2 id="s-${esc(s.key)}">${esc(s.title)}</h2>\n${body}</section>`;
}

const CSS = `
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:60rem;padding:1.5rem;line-height:1.5}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#444}.attention{border:2px solid #B00020;border-radius:6px;padding:.5rem 1rem;background:#fff5f5}
.attention h2{border:none;margin-top:.3rem;color:#8a0018}.ok{border:2px solid #006B3C;border-radius:6px;padding:.5rem 1rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem;width:100%}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#eef3f8}
figure{margin:1rem 0}figcaption{font-size:.9rem;color:#333}.chart svg{max-width:100%;height:auto}
details summary{cursor:pointer;color:#00457a}.empty{color:#444;font-style:italic}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
code{font-size:.85rem;word-break:break-all}
a:focus,summary:focus{outline:3px solid #E69F00;outline-offset:2px}
`;

/** The report as one self-contained HTML page: inline CSS, server-rendered SVG charts, tables behind every chart, no external resource. */
export function renderReviewPage(report: WeeklyReport, digest: string): string {
  const attention = report.needs_attention.length
    ? `<section class="attention" aria-labelledby="s-attention"><h2 id="s-attention">Needs attention</h2><ul>${report.needs_attention.map((i) => `<li>${esc(i.message)}</li>`).join('')}</ul></section>`
    : `<section class="ok" aria-labelledby="s-attention"><h2 id="s-attention">Needs attention</h2><p>Nothing needs attention this week.</p></section>`;
  const jobs = `<section aria-labelledby="s-jobs"><h2 id="s-jobs">Jobs</h2>${table('Last run of each job', report.jobs.runs as unknown as Row[])}</section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warden weekly review ${esc(report.week)}</title><style>${CSS}</style></head>
<body><header><h1>Weekly review ${esc(report.week)}</h1>
<p class="meta">${esc(report.from.slice(0, 10))} 00:00 UTC to ${esc(report.to.slice(0, 10))} 00:00 UTC · generated ${esc(report.generated_at)} · digest <code>${esc(digest)}</code></p></header>
<main>${attention}
${report.sections.map((s) => sectionHtml(s, report)).join('\n')}
${jobs}</main></body></html>
`;
}
