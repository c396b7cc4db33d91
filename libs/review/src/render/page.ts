import type { AttentionItem, ReviewRenderKit } from '#platform';
import type { ReportSection, WeeklyReport } from '../decide/report.js';

/** How one section draws its stored data: its lever's renderer (@ReviewSection's `render`). */
export type SectionRenderer = (data: object, kit: ReviewRenderKit) => string;

/**
 * A section's body is its lever's to draw. A section of a stored report whose lever no longer
 * declares one (or an old report's "not built yet" placeholder) still shows: its data as plain
 * tables, or the placeholder's sentence.
 */
function sectionHtml(s: ReportSection, kit: ReviewRenderKit, rendererOf: (key: string) => SectionRenderer | undefined): string {
  const render = rendererOf(s.key) ?? kit.plain;
  const body = s.status === 'not_built_yet' || !s.data ? '<p class="empty">Not built yet: this lever has not registered its review section.</p>' : render(s.data, kit);
  return `<section aria-labelledby="s-${kit.esc(s.key)}"><h2 id="s-${kit.esc(s.key)}">${kit.esc(s.title)}</h2>\n${body}</section>`;
}

/** Only a console page of this same server is linked: the page stays one that fetches nothing and leads nowhere else. */
function consoleHref(href: string | undefined): string | undefined {
  return href !== undefined && /^\/console(\/[a-z0-9-]+)?(\?[A-Za-z0-9_=&%.-]*)?$/.test(href) ? href : undefined;
}

const CSS = `
:root{color-scheme:light}
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:64rem;padding:1.5rem;line-height:1.5}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#444;overflow-wrap:anywhere}.attention{border:2px solid #B00020;border-radius:6px;padding:.5rem 1rem;background:#fff5f5}
.attention h2{border:none;margin-top:.3rem;color:#8a0018}.ok{border:2px solid #006B3C;border-radius:6px;padding:.5rem 1rem}
.attention a{color:#00457a;font-weight:600;margin-left:.5rem;white-space:nowrap}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem;width:100%}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#eef3f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}figcaption{font-size:.9rem;color:#333}.chart svg{display:block;width:100%;max-width:60rem;height:auto}
details summary{cursor:pointer;color:#00457a}.empty{color:#444;font-style:italic}
dl{display:grid;grid-template-columns:minmax(auto,18rem) auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
code{font-size:.85rem;word-break:break-all}
a:focus,summary:focus{outline:3px solid #E69F00;outline-offset:2px}
@page{size:A4;margin:14mm 12mm}
@media print{
body{max-width:none;padding:0;font-size:10pt;line-height:1.35}
h2{break-after:avoid;margin-top:1.2rem}
section,figure,table,dl{break-inside:avoid}
table{font-size:8.5pt}
.attention,.ok,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.attention a::after{content:" (" attr(href) ")";font-weight:400;color:#333}
details summary{display:none}
details::details-content{content-visibility:visible;display:contents}
.chart svg{width:100%}
}
`;

/**
 * The report as one self-contained HTML page: inline CSS, server-rendered SVG charts, tables behind
 * every chart, no external resource. The frame (heading, needs attention, jobs) is the review's;
 * each section's body is drawn by its own lever.
 */
export function renderReviewPage(
  report: WeeklyReport,
  digest: string,
  kit: ReviewRenderKit,
  rendererOf: (key: string) => SectionRenderer | undefined,
  linkOf: (item: AttentionItem) => Pick<AttentionItem, 'href' | 'action'> | undefined = () => undefined,
): string {
  const { esc } = kit;
  const item = (i: AttentionItem) => {
    const link = i.href ? i : linkOf(i);
    const href = consoleHref(link?.href);
    return `<li>${esc(i.message)}${href ? `<a href="${esc(href)}">${esc(link?.action ?? 'Open in the console')}</a>` : ''}</li>`;
  };
  const attention = report.needs_attention.length
    ? `<section class="attention" aria-labelledby="s-attention"><h2 id="s-attention">Needs attention</h2><ul>${report.needs_attention.map(item).join('')}</ul></section>`
    : `<section class="ok" aria-labelledby="s-attention"><h2 id="s-attention">Needs attention</h2><p>Nothing needs attention this week.</p></section>`;
  const jobs = `<section aria-labelledby="s-jobs"><h2 id="s-jobs">Jobs</h2>${kit.table('Last run of each job', report.jobs.runs)}</section>`;
  const heads = report.audit_chain
    ? `<section aria-labelledby="s-chain"><h2 id="s-chain">Audit checkpoint</h2><p>Each hash chain's head when this report was written: check the record against it with <code>warden audit verify --checkpoint</code>.</p>${kit.table('Chain heads', report.audit_chain.heads)}</section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warden weekly review ${esc(report.week)}</title><style>${CSS}</style></head>
<body><header><h1>Weekly review ${esc(report.week)}</h1>
<p class="meta">${esc(report.from.slice(0, 10))} 00:00 UTC to ${esc(report.to.slice(0, 10))} 00:00 UTC · generated ${esc(report.generated_at)} · digest <code>${esc(digest)}</code></p></header>
<main>${attention}
${report.sections.map((s) => sectionHtml(s, kit, rendererOf)).join('\n')}
${jobs}
${heads}</main></body></html>
`;
}
