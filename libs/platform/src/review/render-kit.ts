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
  /** A table of `rows` (their own keys, or `columns`); an empty list is one "none." line. */
  table(caption: string, rows: readonly object[], columns?: readonly string[]): string;
  /** A chart with its caption and, behind a <details>, the table it was drawn from. */
  figure(id: string, caption: string, svg: string, fallback: string): string;
  /** Any section data as a definition list of its scalars and a table per object or list. */
  plain(data: object): string;
  /** A ratio ("0.8123") as a percentage with one decimal (81.2), null kept. */
  percent(ratio: string | null): number | null;
}

function esc(value: unknown): string {
  return String(value ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function table(caption: string, rows: readonly object[], columns?: readonly string[]): string {
  if (rows.length === 0) return `<p class="empty">${esc(caption)}: none.</p>`;
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => (v !== null && typeof v === 'object' ? esc(JSON.stringify(v)) : esc(v));
  return `<table><caption>${esc(caption)}</caption><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${cols.map((c) => `<td>${cell((r as Record<string, unknown>)[c])}</td>`).join('')}</tr>`)
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
    scalars.length ? `<dl>${scalars.map(([k, v]) => `<dt>${esc(k.replace(/_/g, ' '))}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` : '',
    ...objects.map(([k, v]) => table(k.replace(/_/g, ' '), [v])),
    ...lists.map(([k, v]) => table(k.replace(/_/g, ' '), v)),
  ].join('\n');
}

const percent = (ratio: string | null) => (ratio === null ? null : Math.round(Number(ratio) * 1000) / 10);

/**
 * The kit for one report's page. ECharts is loaded here, on the first page rendered, not when the
 * platform is imported: it takes over a second to load, and most processes never draw a page.
 */
export async function loadReviewRenderKit(week: ReviewWeek): Promise<ReviewRenderKit> {
  const echarts = await import('echarts');
  return { week: { from: week.from, to: week.to }, esc, table, figure, plain, percent, ...reviewCharts(echarts) };
}
