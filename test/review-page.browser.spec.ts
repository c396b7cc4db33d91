import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import pw from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { isoWeekOf, type IsoWeek } from '#review';
import { G as GATE, putPolicy, intent } from './support/factories/gate.js';
import { DAY, HOUR, reviewApi } from './support/factories/review.js';
import { RISK, reserveRisk, upsertRiskPolicy } from './support/factories/risk.js';
import { successes, tripwireApi, tripwireTokens } from './support/factories/tripwire.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The Monday review page in headless Chromium (Debian's `chromium`, through playwright-core) at a
 * 1366×768 window, over a week seeded through the real API with the longest names the API accepts:
 * 32-character engines and domains, long metrics, a dozen long gate reason codes. The page must fit
 * the window (no horizontal scroll), and every SVG text box must lie inside its chart: nothing
 * clipped, nothing dropped, no two labels on top of each other.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const OUT = 'test-output/review';
const VIEWPORT = { width: 1366, height: 768 };

let t: TestApp;
let browser: Browser;
let week: IsoWeek;
let viewer: string;
const ENGINES = ['WHOLESALE_OFFERS_EUROPE_WEST_001', 'CAPITAL_ROUTING_ASIA_PACIFIC_002', 'BUYER_MATCHING_NORTH_AMERICA_003', 'FOLLOWUP_NEXT_BEST_ACTION_LATAM4'];
const DOMAINS = ['CUSTOMER_RETENTION_OFFER_EMEA_01', 'WHOLESALE_OFFER_PRICING_EUROPE02', 'BUYER_MATCH_CROSS_BORDER_APAC_03', 'FOLLOWUP_NEXT_ACTION_NORTHAM_004', 'CAPITAL_ROUTE_TREASURY_GLOBAL_05'];
const REASONS = Array.from({ length: 12 }, (_, i) => `outbound_transfer_to_unverified_counterparty_requires_review_${String(i + 1).padStart(2, '0')}`);
const STREAM = { domain: 'WHOLESALE_OFFERS_EUROPE_WEST_001', metric: 'qualified_lead_conversion_rate_weekly' };

async function ok(res: Promise<{ status: number; body: any }>, status = 200): Promise<any> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  mkdirSync(OUT, { recursive: true });
  t = await startTestApp();
  browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  week = isoWeekOf(new Date());
  const at = (days: number, hours = 10) => new Date(week.from.getTime() + days * DAY + hours * HOUR);
  const [operator, engine] = await Promise.all([t.token('operator'), t.token('engine')]);
  viewer = await t.token('viewer');

  // Risk: four long-named engines used on different days; denials by both scopes' caps; one engine at 90% of its loss cap.
  await upsertRiskPolicy(t, operator, { engine: 'GLOBAL', max_daily_exposure: '2000', max_open_risk: '2000', max_daily_loss: '1000', max_actions_per_day: 40 });
  for (const e of ENGINES) await upsertRiskPolicy(t, operator, { engine: e, max_daily_exposure: '500', max_open_risk: '400', max_daily_loss: '50', max_actions_per_day: 6 });
  let n = 0;
  for (const [day, e] of ENGINES.entries()) {
    t.clock.set(at(day));
    const r = await ok(reserveRisk(t, engine, { engine: e, amount: 100 + day * 90, correlation_id: `rv-${n++}` }), 201);
    await ok(t.http('POST', `${RISK}/settle`, { reservation_id: r.reservation_id, realized_loss: day === 1 ? 45 : 5 }, { token: engine }));
    expect((await reserveRisk(t, engine, { engine: e, amount: 450, correlation_id: `rv-${n++}` })).status).toBe(403);
    expect((await reserveRisk(t, engine, { engine: e, amount: 2500, correlation_id: `rv-${n++}` })).status).toBe(403);
  }

  // Heimdall: five long domain names, each with trials in the week.
  t.clock.set(at(2));
  for (const [i, domain] of DOMAINS.entries()) {
    await ok(t.http('POST', '/api/governance/heimdall/policies/upsert', { domain, min_confidence: 0.8, min_trials: 6, min_success_rate: 0.7, prod_use_enabled: i % 2 === 0 }, { token: operator }));
    for (let k = 0; k < 4 + i; k++) await ok(t.http('POST', '/api/governance/heimdall/sandbox/trial', { domain, success: k % 3 !== 0, confidence: 0.85 }, { token: engine }), 201);
    await ok(t.http('POST', '/api/governance/heimdall/recommend', { domain, confidence: '0.9' }, { token: engine }), 201);
  }

  // Tripwire: a long stream name that fires (ALERT: nothing else changes).
  t.clock.set(at(3));
  const trip = tripwireApi(t, await tripwireTokens(t));
  await trip.policy(STREAM);
  await trip.feed(successes(STREAM.domain, STREAM.metric, 40, 0.9));
  await trip.feed(successes(STREAM.domain, STREAM.metric, 20, 0.2));
  expect((await trip.evaluate(STREAM.domain, STREAM.metric)).body.status).toBe('triggered');

  // Gate: a dozen rules, each blocking one tool with its own long reason code.
  t.clock.set(at(4));
  const rules = REASONS.map((code, i) => `  - name: rule-${i}\n    priority: ${i + 1}\n    effect: block\n    match:\n      tool_names: [tool.transfer${i}]\n    reason_codes: [${code}]\n`).join('');
  await ok(putPolicy(t, 'review-page', `schema_id: gait.gate.policy\nschema_version: 1.0.0\ndefault_verdict: allow\nrules:\n${rules}`));
  for (const [i] of REASONS.entries()) {
    for (let k = 0; k <= i % 3; k++) expect((await t.http('POST', `${GATE}/evaluate`, { policy: 'review-page', intent: intent(`tool.transfer${i}`, `agent-${i}`) })).status).toBe(403);
  }

  t.clock.set(new Date(week.to.getTime() + 9 * HOUR));
  await ok(reviewApi(t, operator).generate(week.week), 201);
}, 300_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await t?.close();
  }
}, 60_000);

/** A viewer signed in to the console, on the review page of the week, reached from the Reviews page's link. */
async function openReview(): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(`${t.url}/console/sign-in`);
  await page.getByLabel('API token').fill(viewer);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${t.url}/console`);
  await page.goto(`${t.url}/console/reviews`);
  await page.waitForSelector('#content[aria-busy="false"]');
  await page.getByRole('link', { name: `Week ${week.week}` }).click();
  await page.waitForURL(`**/reviews/${week.week}.html`);
  return page;
}

interface TextBox {
  chart: string;
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Every SVG text element's box, transformed into its SVG's user space, with the SVG's viewBox (run
 * in the page: a string, as this project's TypeScript has no DOM library).
 */
const TEXT_BOXES = String.raw`(() => {
  const out = [];
  document.querySelectorAll('.chart svg').forEach((svg) => {
    const chart = (svg.closest('figure') && svg.closest('figure').querySelector('figcaption') || {}).textContent || '?';
    const vb = svg.viewBox.baseVal;
    const view = vb && vb.width > 0 ? { x: vb.x, y: vb.y, w: vb.width, h: vb.height } : { x: 0, y: 0, w: svg.width.baseVal.value, h: svg.height.baseVal.value };
    const toSvg = svg.getScreenCTM().inverse();
    const boxes = [];
    svg.querySelectorAll('text').forEach((el) => {
      const text = (el.textContent || '').trim();
      if (!text) return;
      const b = el.getBBox();
      const m = toSvg.multiply(el.getScreenCTM());
      const pts = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]].map(([x, y]) => new DOMPoint(x, y).matrixTransform(m));
      boxes.push({ chart, text, x0: Math.min(...pts.map((p) => p.x)), y0: Math.min(...pts.map((p) => p.y)), x1: Math.max(...pts.map((p) => p.x)), y1: Math.max(...pts.map((p) => p.y)) });
    });
    out.push({ chart, vb: view, boxes, text: boxes.map((b) => b.text).join(' ') });
  });
  return out;
})()`;
const WIDTHS = '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })';

const textBoxes = (page: Page) => page.evaluate<Array<{ chart: string; vb: { x: number; y: number; w: number; h: number }; boxes: TextBox[]; text: string }>>(TEXT_BOXES);
const widths = (page: Page) => page.evaluate<{ scroll: number; inner: number }>(WIDTHS);

describe('the Monday review page (headless Chromium, 1366×768)', () => {
  it('fits the window and clips no chart label: every SVG text box lies inside its chart, none overlaps another', async () => {
    const page = await openReview();
    await page.screenshot({ path: `${OUT}/review-page.png`, fullPage: true });
    await page.screenshot({ path: `${OUT}/review-page-first-screen.png` });
    const figures = page.locator('figure');
    for (let i = 0; i < (await figures.count()); i++) await figures.nth(i).screenshot({ path: `${OUT}/chart-${i + 1}.png` });
    const fit = await widths(page);
    expect(fit.scroll).toBeLessThanOrEqual(fit.inner);

    const charts = await textBoxes(page);
    expect(charts.map((c) => c.chart)).toEqual(expect.arrayContaining([expect.stringContaining('Daily utilisation'), expect.stringContaining('Denials by reason'), expect.stringContaining('Tripwire timeline'), expect.stringContaining('Heimdall success rate'), expect.stringContaining('Gate: top reason codes')]));
    const clipped: string[] = [];
    const overlapping: string[] = [];
    for (const c of charts) {
      expect(c.boxes.length).toBeGreaterThan(0);
      for (const b of c.boxes) {
        if (b.x0 < c.vb.x - 0.5 || b.y0 < c.vb.y - 0.5 || b.x1 > c.vb.x + c.vb.w + 0.5 || b.y1 > c.vb.y + c.vb.h + 0.5) {
          clipped.push(`${c.chart}: "${b.text}" [${b.x0.toFixed(1)},${b.y0.toFixed(1)} – ${b.x1.toFixed(1)},${b.y1.toFixed(1)}] outside ${c.vb.w}×${c.vb.h}`);
        }
      }
      for (let i = 0; i < c.boxes.length; i++) {
        for (let j = i + 1; j < c.boxes.length; j++) {
          const [a, b] = [c.boxes[i], c.boxes[j]];
          const ox = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
          const oy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
          if (ox > 1 && oy > 1) overlapping.push(`${c.chart}: "${a.text}" overlaps "${b.text}"`);
        }
      }
    }
    writeFileSync(`${OUT}/text-boxes.json`, JSON.stringify(charts, null, 1));
    expect(clipped).toEqual([]);
    expect(overlapping).toEqual([]);

    // Every axis label is there: each domain on Heimdall's axis, each engine in the legend, each reason code as words.
    const textOf = (caption: string) => charts.find((c) => c.chart.includes(caption))!.text.replace(/\s+/g, ' ');
    const squeeze = (s: string) => s.replace(/\s+/g, '');
    for (const d of DOMAINS) expect(squeeze(textOf('Heimdall success rate'))).toContain(d);
    for (const e of ENGINES) expect(squeeze(textOf('Daily utilisation'))).toContain(e);
    expect(textOf('Daily utilisation')).toContain('cap 100%');
    const gateText = textOf('Gate: top reason codes');
    const report = (await reviewApi(t, viewer).get(week.week)).body.report;
    const top: Array<{ reason_code: string }> = report.sections.find((x: any) => x.key === 'gate').data.top_reason_codes;
    expect(top).toHaveLength(10);
    for (const { reason_code } of top) expect(squeeze(gateText)).toContain(squeeze(`Outbound transfer to unverified counterparty requires review ${reason_code.slice(-2)}`));
    expect(gateText).not.toContain('_');
    expect(squeeze(textOf('Tripwire timeline'))).toContain(squeeze(`${STREAM.domain} / ${STREAM.metric}`));
  });

  it('reads as words and percentages, and each needs-attention item links to the console page where it is acted on', async () => {
    const page = await openReview();
    const headers = await page.locator('th').allTextContents();
    expect(headers.filter((h) => /_/.test(h))).toEqual([]);
    expect(headers).toEqual(expect.arrayContaining(['Max daily exposure', 'Peak ratio', 'Reason code']));
    const heimdall = await page.locator('section[aria-labelledby="s-heimdall"] p').first().textContent();
    expect(heimdall).toMatch(/eligibility rate: \d+\.\d%/);
    expect(await page.locator('body').textContent()).not.toMatch(/\b0\.\d{4}\b/);

    const links = page.locator('section.attention a');
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(expect.arrayContaining(['/console/risk', '/console/tripwires']));
    expect(await page.locator('section.attention li').count()).toBe(hrefs.length);
    await page.getByRole('link', { name: 'Reset or re-enable on Tripwires' }).click();
    await page.waitForURL(`${t.url}/console/tripwires`);
    await page.waitForSelector('#content[aria-busy="false"]');
    await expect(page.locator('#content').textContent()).resolves.toContain(STREAM.domain);
  });

  it('prints cleanly: the print stylesheet shows the tables behind the charts, and the printed page is no wider than the paper', async () => {
    const page = await openReview();
    await page.emulateMedia({ media: 'print' });
    const behind = page.locator('figure details table').first();
    await expect(behind.isVisible()).resolves.toBe(true);
    await expect(page.locator('details summary').first().isVisible()).resolves.toBe(false);
    await page.pdf({ path: `${OUT}/review-page.pdf`, format: 'A4', printBackground: true });
    await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    await page.screenshot({ path: `${OUT}/review-page-print.png`, fullPage: true });
    const fit = await widths(page);
    expect(fit.scroll).toBeLessThanOrEqual(fit.inner);
  });
});
