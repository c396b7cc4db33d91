import { formatPercent, formatPoints, humanize, isRatioKey } from './format.js';
import { type ReviewCharts, reviewCharts } from './review-charts.js';

/** The week a report covers, as the report states it (ISO instants, `to` excluded). */
export interface ReviewWeek {
  from: string;
  to: string;
}

/**
 * What a section's renderer draws with: the report's week, escaping, tables, figures (a chart with
 * its data table behind it) and the charts. Every renderer returns HTML in which each value from
 * the data went through `esc` (the kit's tables and figures do it themselves).
 */
export interface ReviewRenderKit extends ReviewCharts {
  week: ReviewWeek;
  esc(value: unknown): string;
  /**
   * A table of `rows` (their own keys, or `columns`); an empty list is one "none." line. Column
   * headers read as words (`max_daily_exposure` → "Max daily exposure"), and a ratio column
   * (`*_ratio`, `*_rate`, `*_confidence`) shows percentages.
   */
  table(caption: string, rows: readonly object[], columns?: readonly string[]): string;
  /** A chart with its caption and, behind a <details>, the table it was drawn from. */
  figure(id: string, caption: string, svg: string, fallback: string): string;
  /** Any section data as a definition list of its scalars and a table per object or list. */
  plain(data: object): string;
  /** A ratio ("0.8123") as a percentage with one decimal (81.2), null kept: a chart's value. */
  percent(ratio: string | null): number | null;
  /** A ratio as text: "0.0000" → "0.0%", null → "—". */
  pct(ratio: string | number | null | undefined): string;
  /** A difference of ratios in percentage points: "-0.05" → "−5.0 pt". */
  points(diff: string | number | null | undefined): string;
  /** A snake_case name or code as words; upper-case identifiers (engines, domains) kept. */
  humanize(name: string): string;
}

function esc(value: unknown): string {
  return String(value ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function table(caption: string, rows: readonly object[], columns?: readonly string[]): string {
  if (rows.length === 0) return `<p class="empty">${esc(caption)}: none.</p>`;
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (c: string, v: unknown) => {
    if (v !== null && typeof v === 'object') return `<td>${esc(JSON.stringify(v))}</td>`;
    if (isRatioKey(c) && (typeof v === 'string' || typeof v === 'number')) return `<td class="num">${esc(formatPercent(v))}</td>`;
    if (typeof v === 'boolean') return `<td>${v ? 'yes' : 'no'}</td>`;
    return `<td${typeof v === 'number' ? ' class="num"' : ''}>${esc(v)}</td>`;
  };
  return `<table><caption>${esc(caption)}</caption><thead><tr>${cols.map((c) => `<th scope="col">${esc(humanize(c))}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${cols.map((c) => cell(c, (r as Record<string, unknown>)[c])).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function figure(id: string, caption: string, svg: string, fallback: string): string {
  return `<figure aria-labelledby="${id}"><div class="chart" role="img" aria-labelledby="${id}">${svg}</div><figcaption id="${id}">${esc(caption)}</figcaption>
<details><summary>Data behind the chart: ${esc(caption)}</summary>${fallback}</details></figure>`;
}

function plain(data: object): string {
  const entries = Object.entries(data);
  const scalars = entries.filter(([, v]) => v === null || typeof v !== 'object');
  const lists = entries.filter(([, v]) => Array.isArray(v)) as Array<[string, object[]]>;
  const objects = entries.filter(([, v]) => v !== null && typeof v === 'object' && !Array.isArray(v)) as Array<[string, object]>;
  return [
    scalars.length ? `<dl>${scalars.map(([k, v]) => `<dt>${esc(humanize(k))}</dt><dd>${esc(typeof v === 'boolean' ? (v ? 'yes' : 'no') : isRatioKey(k) && v !== null ? formatPercent(v as string) : v)}</dd>`).join('')}</dl>` : '',
    ...objects.map(([k, v]) => table(humanize(k), [v])),
    ...lists.map(([k, v]) => table(humanize(k), v)),
  ].join('\n');
}

const percent = (ratio: string | null) => (ratio === null ? null : Math.round(Number(ratio) * 1000) / 10);

/**
 * The kit for one report's page. ECharts is loaded here, on the first page rendered, not when the
 * platform is imported: it takes over a second to load, and most processes never draw a page.
 */
export async function loadReviewRenderKit(week: ReviewWeek): Promise<ReviewRenderKit> {
  const echarts = await import('echarts');
  return { week: { from: week.from, to: week.to }, esc, table, figure, plain, percent, pct: formatPercent, points: formatPoints, humanize, ...reviewCharts(echarts) };
}
