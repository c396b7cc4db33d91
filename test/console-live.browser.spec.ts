import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, loaded, OUT, signIn, TcpProxy, visit } from './support/console-browser.js';
import { upsertRiskPolicy } from './support/factories/risk.js';
import { freshDomain, successes, tripwireApi } from './support/factories/tripwire.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The console live and honest, in headless Chromium through a TCP proxy (so the test can cut the
 * connection), under the two-person rule: a change made through the API shows on the open page
 * without a reload, a lost stream shows a banner until it is back, and an act answered 202 is shown
 * pending with a link to its approval while nothing is done until another operator approves.
 */
const G = '/api/governance';
const ENGINE = 'PRICING';

let t: TestApp;
let proxy: TcpProxy;
let browser: Browser;
const contexts: BrowserContext[] = [];
const tokens: Record<'viewer' | 'engine' | 'operatorA' | 'operatorB', string> = { viewer: '', engine: '', operatorA: '', operatorB: '' };

beforeAll(async () => {
  t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'kill_switch_release,engine_reenable' } });
  const address = new URL(t.url);
  proxy = new TcpProxy({ host: address.hostname, port: Number(address.port) });
  await proxy.start();
  browser = await launch();
  for (const [key, role] of [['viewer', 'viewer'], ['engine', 'engine'], ['operatorA', 'operator'], ['operatorB', 'operator']] as const) tokens[key] = await t.token(role);

  // PRICING throttled by a tripwire: re-enabling it needs a second operator.
  await upsertRiskPolicy(t, tokens.operatorA, { engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null });
  await upsertRiskPolicy(t, tokens.operatorA, { engine: ENGINE, max_daily_exposure: '300', max_open_risk: '300', max_daily_loss: '100' });
  const tripwire = tripwireApi(t, { operator: tokens.operatorA, engine: tokens.engine });
  const domain = freshDomain('CONV');
  await tripwire.policy({ domain, metric: 'conversion', action: 'THROTTLE', target_engine: ENGINE });
  await tripwire.feed([...successes(domain, 'conversion', 40, 0.9), ...successes(domain, 'conversion', 20, 0.2)]);
  expect((await tripwire.evaluate(domain, 'conversion')).body.status).toBe('triggered');
}, 180_000);

afterAll(async () => {
  try {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await proxy?.close();
  } finally {
    await t?.close();
  }
}, 60_000);

const state = async () => (await t.http('GET', `${G}/go-live/state`, undefined, { token: tokens.viewer })).body;
const policy = async (engine: string) => {
  const body = (await t.http('GET', `${G}/risk/policies`, undefined, { token: tokens.viewer })).body;
  return (Array.isArray(body) ? body : body.items).find((p: { engine: string }) => p.engine === engine);
};

/** Records, in the page, every element the shell marks as changed (the mark lasts 2.5 s: a test cannot rely on seeing it). */
async function recordMarks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { marked: string[]; reloadMarker: number };
    w.marked = [];
    w.reloadMarker = 42;
    new (globalThis as any).MutationObserver((records: any[]) => {
      for (const r of records) {
        const el = r.target;
        if (r.attributeName === 'class' && el.classList.contains('changed')) w.marked.push(el.textContent ?? '');
      }
    }).observe((globalThis as any).document.getElementById('content')!, { subtree: true, attributes: true, attributeFilter: ['class'] });
  });
}

describe('console: live, and pending never shown as done (headless Chromium)', () => {
  it('engaging through the API: the open status page shows "Engaged" without a reload within 2 s, and marks it', async () => {
    const page = await signIn(browser, proxy.url, tokens.viewer, contexts);
    await page.waitForSelector('body[data-live="live"]');
    await page.locator('#kill-switch').getByText('Released', { exact: true }).waitFor();
    await recordMarks(page);

    expect((await t.http('POST', `${G}/go-live/kill-switch/engage`, { reason: 'live drill' }, { token: tokens.operatorA })).status).toBe(200);
    await page.locator('#kill-switch').getByText('Engaged', { exact: true }).waitFor({ timeout: 2_000 });
    // The same document (no navigation), and the new value was marked as changed.
    expect(await page.evaluate(() => (globalThis as unknown as { reloadMarker: number }).reloadMarker)).toBe(42);
    await page.waitForFunction(() => (globalThis as unknown as { marked: string[] }).marked.includes('Engaged'));
    await page.screenshot({ path: `${OUT}/live-engaged.png`, fullPage: true });
  });

  it('a lost stream shows a banner; back, the banner goes and what changed meanwhile is shown', async () => {
    const page = await signIn(browser, proxy.url, tokens.operatorA, contexts);
    await page.waitForSelector('body[data-live="live"]');
    await page.locator('#kill-switch').getByText('Engaged', { exact: true }).waitFor();
    const banner = page.locator('#live');
    expect(await banner.isHidden()).toBe(true);

    proxy.cut();
    await banner.waitFor({ state: 'visible', timeout: 15_000 });
    await expect(banner.textContent()).resolves.toContain('Live updates lost');
    await page.screenshot({ path: `${OUT}/live-lost.png`, fullPage: true });

    // Meanwhile the release is requested and approved by two operators, through the API.
    const asked = await t.http('POST', `${G}/go-live/kill-switch/release`, { reason: 'drill over' }, { token: tokens.operatorA });
    expect(asked.status).toBe(202);
    expect((await t.http('POST', `${G}/approvals/${asked.body.approval_id}/approve`, {}, { token: tokens.operatorB })).status).toBe(200);
    await waitUntil(async () => (await state()).kill_switch_engaged === false);

    proxy.restore();
    await banner.waitFor({ state: 'hidden', timeout: 40_000 });
    await page.locator('#kill-switch').getByText('Released', { exact: true }).waitFor({ timeout: 10_000 });
    expect(await page.locator('body').getAttribute('data-live')).toBe('live');
  });

  it('a re-enable under the two-person rule shows "pending" with a link; the engine stays disabled until a second operator approves', async () => {
    expect((await policy(ENGINE)).enabled).toBe(false);
    const a = await signIn(browser, proxy.url, tokens.operatorA, contexts);
    await visit(a, proxy.url, '/console/risk');
    const card = a.locator(`#engine-${ENGINE}`);
    await card.getByText('Disabled', { exact: true }).waitFor();
    const form = a.getByRole('form', { name: `Re-enable ${ENGINE}` });
    await form.getByLabel('Reason (required)').fill('regression understood');
    const [answer] = await Promise.all([a.waitForResponse((r) => r.url().endsWith('/risk/policies/upsert')), form.getByRole('button', { name: 'Re-enable' }).click()]);
    expect(answer.status()).toBe(202);
    const approvalId = ((await answer.json()) as { approval_id: string }).approval_id;

    const notice = a.locator('#notice');
    await notice.getByText('Pending', { exact: true }).waitFor();
    await expect(notice.textContent()).resolves.toContain('not done until another person approves');
    expect(await notice.textContent()).not.toContain('re-enabled');
    const link = notice.getByRole('link', { name: /Open the request/ });
    expect(await link.getAttribute('href')).toBe(`/console/approvals#${approvalId}`);
    await loaded(a);
    await card.getByText('Disabled', { exact: true }).waitFor();
    expect((await policy(ENGINE)).enabled).toBe(false);
    await a.screenshot({ path: `${OUT}/risk-reenable-pending.png`, fullPage: true });

    // The link leads to the request: the requester sees it, marked, and cannot approve it.
    await link.click();
    await a.waitForURL(`${proxy.url}/console/approvals#${approvalId}`);
    await loaded(a);
    const row = a.locator(`tr[id="${approvalId}"]`);
    await row.getByText('Your request: another operator decides').waitFor();
    expect(await row.getAttribute('class')).toContain('target');
    expect(await row.getByRole('button').count()).toBe(0);
    expect((await policy(ENGINE)).enabled).toBe(false);

    // A second operator approves; then, and only then, the engine is enabled, and A's open risk page shows it.
    await visit(a, proxy.url, '/console/risk');
    const b = await signIn(browser, proxy.url, tokens.operatorB, contexts);
    await visit(b, proxy.url, `/console/approvals#${approvalId}`);
    await b.locator(`button[data-approval="${approvalId}"]`).click();
    await b.getByText(`Approved engine_reenable`).waitFor();
    await waitUntil(async () => (await policy(ENGINE)).enabled === true);
    await card.getByText('Enabled', { exact: true }).waitFor({ timeout: 10_000 });
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
