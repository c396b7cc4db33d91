import { existsSync, mkdirSync } from 'node:fs';
import pw from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isoWeekOf } from '#review';
import { HeimdallFactory } from './support/factories/heimdall.js';
import { reserveRisk, upsertRiskPolicy } from './support/factories/risk.js';
import { freshDomain, successes, SMALL_POLICY, tripwireApi } from './support/factories/tripwire.js';
import { closeAll } from './support/console-browser.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The operator console in headless Chromium (Debian's `chromium`, driven by playwright-core),
 * against the real app. Chromium missing is a failure, never a skip: `.ci/run` installs it.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const OUT = 'test-output/console';
const G = '/api/governance';
const VIEWPORT = { width: 1366, height: 768 };

let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const tokens: Record<'viewer' | 'engine' | 'operatorA' | 'operatorB', string> = { viewer: '', engine: '', operatorA: '', operatorB: '' };
const names: Record<string, string> = {};
let throttledEngine = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  mkdirSync(OUT, { recursive: true });
  t = await startTestApp();
  browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  for (const [key, role] of [['viewer', 'viewer'], ['engine', 'engine'], ['operatorA', 'operator'], ['operatorB', 'operator']] as const) {
    const res = await t.http('POST', `${G}/tokens`, { name: `console-${key}-${Date.now().toString(36)}`, role });
    expect(res.status).toBe(201);
    tokens[key] = res.body.token;
    names[key] = res.body.name;
  }
  await seed();
}, 180_000);

afterAll(() => closeAll(contexts, browser, t), 60_000);

/** Something on every page: engines near their caps, a denial, reservations, a fired THROTTLE tripwire, Heimdall trials. */
async function seed(): Promise<void> {
  const op = tokens.operatorA;
  await upsertRiskPolicy(t, op, { engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null });
  for (const [engine, cap] of [['WHOLESALE', '1000'], ['BUYER_MATCH', '500']] as const) {
    await upsertRiskPolicy(t, op, { engine, max_daily_exposure: cap, max_open_risk: cap, max_daily_loss: '200', max_actions_per_day: 50 });
  }
  for (const [engine, amount, i] of [['WHOLESALE', '640', 1], ['WHOLESALE', '120', 2], ['BUYER_MATCH', '450', 3]] as const) {
    expect((await reserveRisk(t, tokens.engine, { engine, amount, correlation_id: `console-seed-${i}` })).status).toBe(201);
  }
  const denied = await reserveRisk(t, tokens.engine, { engine: 'BUYER_MATCH', amount: '400', correlation_id: 'console-seed-denied' });
  expect(denied.status).toBe(403);

  throttledEngine = 'PRICING';
  await upsertRiskPolicy(t, op, { engine: throttledEngine, max_daily_exposure: '300', max_open_risk: '300', max_daily_loss: '100' });
  const tripwire = tripwireApi(t, { operator: op, engine: tokens.engine });
  const domain = freshDomain('CONV');
  await tripwire.policy({ domain, metric: 'conversion', action: 'THROTTLE', target_engine: throttledEngine });
  await tripwire.feed([...successes(domain, 'conversion', 40, 0.9), ...successes(domain, 'conversion', 20, 0.2)]);
  const fired = await tripwire.evaluate(domain, 'conversion');
  expect(fired.body.status).toBe('triggered');
  const calm = await tripwire.policy({ ...SMALL_POLICY, metric: 'accept_rate' });
  await tripwire.feed([...successes(calm.domain, calm.metric, 40, 0.5), ...successes(calm.domain, calm.metric, 20, 0.5)]);
  await tripwire.evaluate(calm.domain, calm.metric);

  const heimdall = await HeimdallFactory.create(t);
  const ready = await heimdall.policy({}, 'OFFERS');
  await heimdall.trials(ready, 5, 5, 0.92);
  const short = await heimdall.policy({ min_trials: 20 }, 'MATCH');
  await heimdall.trials(short, 6, 4, 0.85);
}

async function signIn(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${t.url}/console/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${t.url}/console`);
  await loaded(page);
  return page;
}

/** Waits for the page's script to finish filling #content. */
async function loaded(page: Page): Promise<void> {
  await page.waitForSelector('#content[aria-busy="false"]');
}

async function visit(page: Page, path: string): Promise<void> {
  await page.goto(`${t.url}${path}`);
  await loaded(page);
}

const PAGES = ['/console', '/console/risk', '/console/tripwires', '/console/heimdall', '/console/approvals', '/console/reviews'];

describe('operator console (headless Chromium)', () => {
  it('signs in with a token, shows who is signed in, and signs out (the session then no longer works)', async () => {
    const page = await signIn(tokens.operatorA);
    await expect(page.getByTestId('principal').textContent()).resolves.toBe(names.operatorA);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'warden_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
    const [stored] = await t.sql(`SELECT id, principal_name, role, expires_at - created_at AS ttl FROM console_session WHERE principal_name = $1`, [names.operatorA]);
    expect(stored.id).not.toBe(session.value); // only the hash is stored
    expect(stored).toMatchObject({ role: 'operator', ttl: { hours: 8 } });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${t.url}/console/sign-in`);
    const after = await fetch(`${t.url}${G}/go-live/state`, { headers: { cookie: `warden_session=${session.value}` } });
    expect(after.status).toBe(401);
  });

  it('a wrong token is refused at sign-in', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${t.url}/console/sign-in`);
    await page.getByLabel('API token').fill('wdn_not-a-token');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/console/sign-in') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(response.status()).toBe(401);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid');
    expect((await context.cookies()).find((c) => c.name === 'warden_session')).toBeUndefined();
    // A sign-in form posted from another site is refused (login CSRF), even with a valid token.
    const crossSite = await fetch(`${t.url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: new URLSearchParams({ token: tokens.viewer }).toString(),
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
  });

  it('engaging the kill switch from the console makes POST /api/deals refused', async () => {
    const page = await signIn(tokens.operatorA);
    const before = await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: tokens.engine });
    expect(before.status).toBe(201);
    const form = page.getByRole('form', { name: 'Engage the kill switch' });
    await form.getByLabel('Reason (required)').fill('console drill');
    await form.getByRole('button', { name: 'Engage kill switch' }).click();
    await page.getByText('Kill switch engaged.').waitFor();
    await page.locator('#kill-switch').getByText('Engaged', { exact: true }).waitFor();

    const refused = await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: tokens.engine });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('kill_switch_engaged');
    const [audit] = await t.sql(`SELECT principal FROM audit_log WHERE action = 'go_live.kill_switch.engage' ORDER BY id DESC LIMIT 1`);
    expect(audit.principal).toBe(names.operatorA);
    await page.screenshot({ path: `${OUT}/status-kill-switch-engaged.png`, fullPage: true });

    // Release from the console: 200 (released) or, under the two-person rule, 202 (approval requested).
    const release = page.getByRole('form', { name: 'Release the kill switch' });
    await release.getByLabel('Reason (required)').fill('drill over');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/kill-switch/release')),
      release.getByRole('button', { name: 'Release kill switch' }).click(),
    ]);
    if (answer.status() === 202) {
      await page.getByText('Approval requested').waitFor();
    } else {
      expect(answer.status()).toBe(200);
      await page.getByText('Kill switch released.').waitFor();
    }
  });

  it('a second operator approves a pending request in the console; the requester has no approve button', async () => {
    const created = await t.http('POST', `${G}/approvals`, { kind: 'engine_reenable', subject: 'engine:PRICING', reason: 'tripwire cleared, re-enable PRICING' }, { token: tokens.operatorA });
    expect(created.status).toBe(202);
    const id = created.body.approval_id as string;

    const requester = await signIn(tokens.operatorA);
    await visit(requester, '/console/approvals');
    const ownRow = requester.getByRole('row').filter({ hasText: 'engine:PRICING' });
    await ownRow.getByText('Your request').waitFor();
    expect(await requester.locator(`button[data-approval="${id}"]`).count()).toBe(0);
    expect(await ownRow.getByRole('button').count()).toBe(0);

    const approver = await signIn(tokens.operatorB);
    await visit(approver, '/console/approvals');
    await approver.screenshot({ path: `${OUT}/approvals.png`, fullPage: true });
    await approver.locator(`button[data-approval="${id}"]`).click();
    await approver.getByText('Approved engine_reenable engine:PRICING.').waitFor();
    const after = await t.http('GET', `${G}/approvals/${id}`, undefined, { token: tokens.viewer });
    expect(after.body).toMatchObject({ status: 'approved', approvals: 1 });
    expect(after.body.decisions[0].approver).toBe(names.operatorB);
  });

  it('a viewer sees every page and no action button', async () => {
    const page = await signIn(tokens.viewer);
    for (const path of PAGES) {
      await visit(page, path);
      expect(await page.locator('main button, main form').count()).toBe(0);
    }
    await visit(page, '/console');
    await page.screenshot({ path: `${OUT}/status-viewer.png`, fullPage: true });
    // The server enforces the role too: the viewer's session cannot act even with its CSRF token.
    const csrf = (await page.locator('meta[name="warden-csrf"]').getAttribute('content'))!;
    const status = await page.evaluate(
      async ({ g, csrf }) => {
        const res = await fetch(`${g}/go-live/kill-switch/engage`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ reason: 'x' }) });
        return res.status;
      },
      { g: G, csrf },
    );
    expect(status).toBe(403);
  });

  it('a session without its CSRF token cannot act, with it it can', async () => {
    const page = await signIn(tokens.operatorA);
    const csrf = (await page.locator('meta[name="warden-csrf"]').getAttribute('content'))!;
    const tryCreate = (header: 'none' | 'wrong' | 'right') =>
      page.evaluate(
        async ({ g, header, csrf }) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (header === 'wrong') headers['x-csrf-token'] = `${csrf.slice(0, -2)}xx`;
          if (header === 'right') headers['x-csrf-token'] = csrf;
          const res = await fetch(`${g}/approvals`, { method: 'POST', headers, body: JSON.stringify({ kind: 'manual', subject: `csrf-${header}`, reason: 'csrf probe' }) });
          return { status: res.status, body: (await res.json()) as { error?: string } };
        },
        { g: G, header, csrf },
      );
    for (const header of ['none', 'wrong'] as const) {
      const res = await tryCreate(header);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('csrf_failed');
    }
    expect(await t.sql(`SELECT 1 FROM approval_request WHERE subject IN ('csrf-none', 'csrf-wrong')`)).toHaveLength(0);
    expect((await tryCreate('right')).status).toBe(202);
    // Reads need no CSRF token.
    const read = await page.evaluate(async (g) => (await fetch(`${g}/go-live/state`)).status, G);
    expect(read).toBe(200);
  });

  it('re-enables a throttled engine from the tripwires page', async () => {
    const before = (await t.http('GET', `${G}/risk/policies`, undefined, { token: tokens.viewer })).body;
    const list = Array.isArray(before) ? before : before.items;
    expect(list.find((p: any) => p.engine === throttledEngine).enabled).toBe(false);
    const page = await signIn(tokens.operatorB);
    await visit(page, '/console/tripwires');
    await page.screenshot({ path: `${OUT}/tripwires.png`, fullPage: true });
    const form = page.getByRole('form', { name: `Re-enable ${throttledEngine}` });
    await form.getByLabel('Reason (required)').fill('regression understood');
    await form.getByRole('button', { name: 'Re-enable' }).click();
    await page.getByText(`${throttledEngine} re-enabled.`).waitFor();
    const after = (await t.http('GET', `${G}/risk/policies`, undefined, { token: tokens.viewer })).body;
    expect((Array.isArray(after) ? after : after.items).find((p: any) => p.engine === throttledEngine).enabled).toBe(true);
  });

  it('a forged session cookie gets 401 from the API and the sign-in page from the console', async () => {
    const forged = 'warden_session=' + Buffer.alloc(32, 7).toString('base64url');
    const api = await fetch(`${t.url}${G}/go-live/state`, { headers: { cookie: forged } });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: string }).error).toBe('unauthorized');
    const pageRes = await fetch(`${t.url}/console/risk`, { headers: { cookie: forged }, redirect: 'manual' });
    expect(pageRes.status).toBe(303);
    expect(pageRes.headers.get('location')).toBe('/console/sign-in?expired=1');

    const context = await browser.newContext({ viewport: VIEWPORT });
    contexts.push(context);
    await context.addCookies([{ name: 'warden_session', value: forged.split('=')[1]!, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/console`);
    await page.waitForURL(/\/console\/sign-in\?expired=1$/);
    await page.screenshot({ path: `${OUT}/sign-in.png` });
  });

  it('a session dies with its token and after 8 hours', async () => {
    const token = await t.token('operator');
    const page = await signIn(token);
    const value = (await page.context().cookies()).find((c) => c.name === 'warden_session')!.value;
    const state = () => fetch(`${t.url}${G}/go-live/state`, { headers: { cookie: `warden_session=${value}` } });
    expect((await state()).status).toBe(200);
    const [row] = await t.sql(`SELECT id FROM api_token WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [token]);
    expect((await t.http('POST', `${G}/tokens/${row.id}/revoke`, { reason: 'left the team' })).status).toBe(200);
    expect((await state()).status).toBe(401);

    const other = await signIn(tokens.operatorB);
    const live = (await other.context().cookies()).find((c) => c.name === 'warden_session')!.value;
    const read = () => fetch(`${t.url}${G}/go-live/state`, { headers: { cookie: `warden_session=${live}` } });
    expect((await read()).status).toBe(200);
    t.clock.advance(8 * 3_600_000 + 1000);
    expect((await read()).status).toBe(401);
  });

  it('renders every page cleanly for an operator (screenshots under test-output/console)', async () => {
    t.clock.set(new Date());
    const page = await signIn(tokens.operatorB);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // The reviews list answers 404 until the review library lands: the page says so, the browser logs it.
      if (m.type() === 'error' && !/status of 404/.test(m.text())) errors.push(m.text());
    });
    for (const path of PAGES) {
      await visit(page, path);
      expect(await page.locator('#notice.error').count()).toBe(0);
      const name = path === '/console' ? 'status' : path.split('/').pop()!;
      await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });
    }
    await visit(page, '/console/reviews');
    await page.getByText(/No reports yet|Week /).first().waitFor();
    expect(errors).toEqual([]);
  });

  it('shows a generated weekly review page (screenshot under test-output/console)', async () => {
    // The week holding the seeded events, generated as an operator with the clock moved past its end, then back.
    const now = new Date();
    const week = isoWeekOf(now);
    t.clock.set(new Date(week.to.getTime() + 9 * 3_600_000));
    const generated = await t.http('POST', `${G}/reviews/${week.week}/generate`, undefined, { token: tokens.operatorA });
    t.clock.set(now);
    expect(generated.status).toBe(201);
    const page = await signIn(tokens.operatorB);
    const res = await page.goto(`${t.url}${G}/reviews/${week.week}.html`);
    expect(res?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Weekly review ${week.week}`);
    expect(await page.locator('section h2').allTextContents()).toEqual(expect.arrayContaining(['Needs attention', 'Risk', 'Promotion verdicts', 'Gate']));
    await page.screenshot({ path: `${OUT}/review-page.png`, fullPage: true });
  });
});
