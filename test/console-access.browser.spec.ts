import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeAll, launch, loaded, navigation, OUT, pageName, seriousViolations, signIn, visit } from './support/console-browser.js';
import { HeimdallFactory } from './support/factories/heimdall.js';
import { reserveRisk, upsertRiskPolicy } from './support/factories/risk.js';
import { freshDomain, successes, tripwireApi } from './support/factories/tripwire.js';
import { ADMIN_TOKEN, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Every page of the console's navigation (so pages other levers add are covered too), in headless
 * Chromium: a viewer gets no button, form or field anywhere; axe-core finds no serious or critical
 * violation, for an operator (every form shown) and a viewer; one act is done with the keyboard
 * alone; and a full-page screenshot of each is written under test-output/console/.
 */
const G = '/api/governance';

let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const tokens: Record<'viewer' | 'engine' | 'operator' | 'operator2', string> = { viewer: '', engine: '', operator: '', operator2: '' };

beforeAll(async () => {
  t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'none' } });
  browser = await launch();
  for (const [key, role] of [['viewer', 'viewer'], ['engine', 'engine'], ['operator', 'operator'], ['operator2', 'operator']] as const) tokens[key] = await t.token(role);
  await seed();
}, 180_000);

afterAll(() => closeAll(contexts, browser, t), 60_000);

/** Something on every page: caps in use, a reservation, a fired tripwire, Heimdall trials, a pending and a decided approval. */
async function seed(): Promise<void> {
  const op = tokens.operator;
  await upsertRiskPolicy(t, op, { engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null });
  await upsertRiskPolicy(t, op, { engine: 'WHOLESALE', max_daily_exposure: '1000', max_open_risk: '1000', max_daily_loss: '200', max_actions_per_day: 50 });
  expect((await reserveRisk(t, tokens.engine, { engine: 'WHOLESALE', amount: '640', correlation_id: 'access-1' })).status).toBe(201);
  const tripwire = tripwireApi(t, { operator: op, engine: tokens.engine });
  const domain = freshDomain('CONV');
  await upsertRiskPolicy(t, op, { engine: 'PRICING', max_daily_exposure: '300', max_open_risk: '300', max_daily_loss: '100' });
  await tripwire.policy({ domain, metric: 'conversion', action: 'THROTTLE', target_engine: 'PRICING' });
  await tripwire.feed([...successes(domain, 'conversion', 40, 0.9), ...successes(domain, 'conversion', 20, 0.2)]);
  await tripwire.evaluate(domain, 'conversion');
  const heimdall = await HeimdallFactory.create(t);
  await heimdall.trials(await heimdall.policy({}, 'OFFERS'), 5, 5, 0.92);
  const pending = await t.http('POST', `${G}/approvals`, { kind: 'manual', subject: 'access-pending', reason: 'a pending request', payload: { note: 'look' } }, { token: op });
  expect(pending.status).toBe(202);
  const decided = await t.http('POST', `${G}/approvals`, { kind: 'manual', subject: 'access-decided', reason: 'a decided request' }, { token: op });
  expect((await t.http('POST', `${G}/approvals/${decided.body.approval_id}/approve`, { reason: 'fine' }, { token: tokens.operator2 })).status).toBe(200);
}

/** Every page, and the approvals page under each status filter. */
async function everyPage(page: Page): Promise<string[]> {
  const nav = (await navigation(page)).map((n) => n.path);
  expect(nav[0]).toBe('/console');
  expect(nav.length).toBeGreaterThanOrEqual(8);
  return nav.flatMap((p) => (p === '/console/approvals' ? [p, '/console/approvals?status=approved', '/console/approvals?status='] : [p]));
}

describe('console access (headless Chromium)', () => {
  it('a viewer sees every page and no button, form or field on any of them', async () => {
    const page = await signIn(browser, t.url, tokens.viewer, contexts);
    for (const path of await everyPage(page)) {
      await visit(page, t.url, path);
      expect([path, await page.locator('#notice.error').count()]).toEqual([path, 0]);
      // A search box (role=search: the record pages' filters, which only change the address) is reading, not acting.
      const acting = await page.locator('main button, main form, main input, main select, main textarea').evaluateAll((els) => els.filter((e) => !e.closest('[role="search"]')).length);
      expect([path, acting]).toEqual([path, 0]);
    }
  });

  it('axe-core finds no serious or critical violation on any page, for an operator and a viewer; a screenshot of each', async () => {
    const first = await signIn(browser, t.url, tokens.operator, contexts);
    const home = (await first.locator('body').getAttribute('data-page'))!;
    // The check can fail: a button without a name is a critical violation axe reports.
    await first.evaluate(() => (globalThis as any).document.getElementById('content')!.appendChild((globalThis as any).document.createElement('button')));
    expect((await seriousViolations(first)).map((v) => v.id)).toContain('button-name');
    for (const [who, token] of [['operator', tokens.operator], ['viewer', tokens.viewer], ['admin', ADMIN_TOKEN]] as const) {
      const page = await signIn(browser, t.url, token, contexts);
      for (const path of await everyPage(page)) {
        await visit(page, t.url, path);
        if (who === 'operator' && !path.includes('?')) await page.screenshot({ path: `${OUT}/page-${pageName(path, home)}.png`, fullPage: true });
        if (who === 'admin' && path === '/console/tokens') await page.screenshot({ path: `${OUT}/page-tokens-admin.png`, fullPage: true });
        // Edit boxes open, so their fields are checked too.
        await page.$$eval('main details', (ds) => ds.forEach((d) => ((d as any).open = true)));
        expect([who, path, await seriousViolations(page)]).toEqual([who, path, []]);
        expect([who, path, await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)]).toEqual([who, path, 1366]);
      }
    }
  });

  it('engages the kill switch with the keyboard alone: skip link, Tab to the reason, type, Enter', async () => {
    const page = await signIn(browser, t.url, tokens.operator, contexts);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('main');
    const inReason = () => page.evaluate(() => {
      const a = (globalThis as any).document.activeElement as any;
      return a?.name === 'reason' && a.closest('form')?.getAttribute('aria-label') === 'Engage the kill switch';
    });
    let presses = 0;
    while (!(await inReason())) {
      await page.keyboard.press('Tab');
      if (++presses > 60) throw new Error('the engage form is not reachable with Tab');
    }
    await page.keyboard.type('keyboard drill');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe('Engage kill switch');
    await page.keyboard.press('Enter');
    await page.locator('#notice').getByText('Kill switch engaged.').waitFor();
    await loaded(page);
    expect((await t.http('GET', `${G}/go-live/state`)).body.kill_switch_engaged).toBe(true);
    // Focus is not lost to the top of the page: it is still inside the main content.
    expect(await page.evaluate(() => !!(globalThis as any).document.activeElement && (globalThis as any).document.getElementById('main')!.contains((globalThis as any).document.activeElement))).toBe(true);
    expect((await t.http('POST', `${G}/go-live/kill-switch/release`, { reason: 'drill over' }, { token: tokens.operator2 })).status).toBe(200);
  });
});
