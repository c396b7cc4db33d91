import { loadReviewRenderKit, type ReviewRenderKit } from '#platform';
import type { WeeklyReport } from '../decide/report.js';
import { renderReviewPage, type SectionRenderer } from './page.js';

describe('review page frame', () => {
  const report: WeeklyReport = {
    week: '2026-W48',
    from: '2026-11-23T00:00:00.000Z',
    to: '2026-11-30T00:00:00.000Z',
    generated_at: '2026-11-30T08:00:00.000Z',
    needs_attention: [{ kind: 'cap_near', subject: 'engine:A', message: 'A is <near> its cap' }],
    sections: [
      { key: 'drawn', title: 'Drawn', status: 'ok', data: { n: 3 } },
      { key: 'gone', title: 'Gone & <old>', status: 'ok', data: { total: 2, rows: [{ a: 1 }] } },
      { key: 'legacy', title: 'Legacy', status: 'not_built_yet', data: null },
    ],
    jobs: { runs: [{ job: 'review.weekly_report', status: 'succeeded', period_at: null, error: null }] },
  };
  let kit: ReviewRenderKit;
  beforeAll(async () => {
    kit = await loadReviewRenderKit(report);
  });

  it('draws each section with its own lever\u2019s renderer, in the report\u2019s order, and the frame around them', () => {
    const seen: Array<[object, string]> = [];
    const drawn: SectionRenderer = (data, k) => {
      seen.push([data, k.week.from]);
      return '<p>drawn by its lever</p>';
    };
    const html = renderReviewPage(report, 'abc', kit, (key) => (key === 'drawn' ? drawn : undefined));
    expect(seen).toEqual([[{ n: 3 }, '2026-11-23T00:00:00.000Z']]);
    expect(html).toContain('<section aria-labelledby="s-drawn"><h2 id="s-drawn">Drawn</h2>\n<p>drawn by its lever</p></section>');
    expect(html).toContain('<li>A is &lt;near&gt; its cap</li>');
    expect(html).toContain('<caption>Last run of each job</caption>');
    expect(html).toContain('digest <code>abc</code>');
    expect(html.indexOf('s-attention')).toBeLessThan(html.indexOf('s-drawn'));
    expect(html.indexOf('s-drawn')).toBeLessThan(html.indexOf('s-gone'));
    expect(html.indexOf('s-legacy')).toBeLessThan(html.indexOf('s-jobs'));
  });

  it('a stored section no lever draws any more shows as plain tables; an old placeholder keeps its sentence', () => {
    const html = renderReviewPage(report, 'abc', kit, () => undefined);
    expect(html).toContain('<h2 id="s-gone">Gone &amp; &lt;old&gt;</h2>\n<dl><dt>Total</dt><dd>2</dd></dl>\n<table><caption>Rows</caption>');
    expect(html).toContain('<h2 id="s-legacy">Legacy</h2>\n<p class="empty">Not built yet: this lever has not registered its review section.</p>');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('links each needs-attention item to the console page its section names, and only to a console page', () => {
    const items: WeeklyReport = {
      ...report,
      needs_attention: [
        { kind: 'cap_near', subject: 'engine:A', message: 'A is near its cap' },
        { kind: 'elsewhere', subject: 'x', message: 'offsite', href: 'https://evil.example/phish' },
        { kind: 'odd', subject: 'y', message: 'no page' },
      ],
    };
    const html = renderReviewPage(items, 'abc', kit, () => undefined, (i) => (i.kind === 'cap_near' ? { href: '/console/risk', action: 'Review the caps' } : undefined));
    expect(html).toContain('<li>A is near its cap<a href="/console/risk">Review the caps</a></li>');
    expect(html).toContain('<li>offsite</li>');
    expect(html).toContain('<li>no page</li>');
    expect(html).not.toContain('evil.example');
  });

  it('tables read as words: headers humanised, ratios as percentages, booleans as yes/no', () => {
    const html = kit.table('T', [{ peak_ratio: '0.0000', success_rate: '0.8125', prod_use_enabled: true, engine_name: 'WHOLESALE', n: 3 }]);
    expect(html).toContain('<th scope="col">Peak ratio</th><th scope="col">Success rate</th><th scope="col">Prod use enabled</th>');
    expect(html).toContain('<td class="num">0.0%</td><td class="num">81.3%</td><td>yes</td><td>WHOLESALE</td><td class="num">3</td>');
    expect(kit.plain({ eligibility_rate: '0.0000', enforced: false })).toBe('<dl><dt>Eligibility rate</dt><dd>0.0%</dd><dt>Enforced</dt><dd>no</dd></dl>');
  });

  it('has a print stylesheet, and tables that wrap rather than widen the page', () => {
    const html = renderReviewPage(report, 'abc', kit, () => undefined);
    expect(html).toMatch(/@media print\{[^]*break-inside:avoid[^]*details::details-content/);
    expect(html).toContain('overflow-wrap:anywhere');
  });
});
