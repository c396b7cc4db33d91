import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import pw from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { activePolicy, evaluate, intent, uniqueIdentity } from './support/factories/gate.js';
import { engineName, reserveRisk, upsertRiskPolicy } from './support/factories/risk.js';
import { until, WebhookReceiver } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The record pages in headless Chromium (Debian's `chromium`, driven by playwright-core) against
 * the real app and PostgreSQL (issue 22, tests "Search" and "Outbox"): the gate decision that
 * blocked an intent found by its identity and its trace read; a risk denial found by its
 * correlation id; an audit entry found by its subject and paged; a dead-lettered delivery shown
 * and replayed. Chromium missing is a failure, never a skip.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const OUT = 'test-output/console';
const G = '/api/governance';
const VIEWPORT = { width: 1366, height: 768 };

const receiver = new WebhookReceiver();
let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const tokens = { viewer: '', engine: '', operator: '' };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  mkdirSync(OUT, { recursive: true });
  await receiver.start();
  receiver.failWith = 503;
  // One failed attempt dead-letters a delivery: the page has a dead letter to replay at once.
  t = await startTestApp({ env: { WARDEN_WEBHOOK_URLS: receiver.url, WARDEN_WEBHOOK_DEAD_AFTER_ATTEMPTS: '1' } });
  browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  [tokens.viewer, tokens.engine, tokens.operator] = await Promise.all([t.token('viewer'), t.token('engine'), t.token('operator')]);
}, 180_000);

afterAll(async () => {
  try {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  } finally {
    await t?.close();
    await receiver.stop();
  }
}, 60_000);

async function signIn(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`${t.url}/console/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${t.url}/console`);
  await loaded(page);
  return page;
}

const loaded = (page: Page) => page.waitForSelector('#content[aria-busy="false"]').then(() => undefined);

async function visit(page: Page, path: string): Promise<void> {
  await page.goto(`${t.url}${path}`);
  await loaded(page);
}

/** Types into a search field and presses Enter, as a person would; waits for the new page. */
async function searchFor(page: Page, label: string, text: string): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(text);
  await Promise.all([page.waitForURL((u) => u.search.length > 0), field.press('Enter')]);
  await loaded(page);
}

/** A click on a link that loads another address of the page. */
async function follow(page: Page, name: string, within = 'main'): Promise<void> {
  const before = page.url();
  await page.locator(within).getByRole('link', { name, exact: true }).click();
  await page.waitForURL((u) => u.toString() !== before);
  await loaded(page);
}

describe('Search: "why was this blocked?" in two clicks', () => {
  it('finds the gate decision that blocked an intent by its identity, and reads its trace', async () => {
    const policy = (await activePolicy(t)).name;
    const identity = uniqueIdentity('agent');
    const allowed = await evaluate(t, { intent: intent('tool.read', identity), policy });
    expect(allowed.status).toBe(200);
    const blocked = await evaluate(t, { intent: intent('tool.delete', identity), policy });
    expect(blocked.status).toBe(403);
    const other = await evaluate(t, { intent: intent('tool.delete', uniqueIdentity('other')), policy });
    expect(other.status).toBe(403);

    const page = await signIn(tokens.viewer);
    await visit(page, '/console/decisions');
    await searchFor(page, 'Engine, identity, correlation id or decision id', identity);
    const gate = page.locator('section', { has: page.getByRole('heading', { name: 'Gate decisions', exact: true }) });
    const rows = gate.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    await expect(rows.nth(0).textContent()).resolves.toContain('block');
    await expect(rows.nth(1).textContent()).resolves.toContain('allow');
    await expect(gate.textContent()).resolves.not.toContain(other.body.decision_id);

    // The second click: the trace of the block.
    await follow(page, `Trace of gate decision ${blocked.body.decision_id}`);
    const trace = page.locator('#trace');
    await expect(trace.getByRole('heading', { level: 2 }).textContent()).resolves.toBe(`Trace: gate ${blocked.body.decision_id}`);
    const text = (await trace.textContent())!;
    expect(text).toContain('delete_forbidden');
    expect(text).toContain(identity);
    const steps = trace.getByRole('table', { name: 'Steps of the evaluation, in order' }).locator(':scope > tbody > tr');
    const stored = (await t.http('GET', `${G}/gate/decisions/${blocked.body.decision_id}`, undefined, { token: tokens.viewer })).body;
    expect(stored.trace.length).toBeGreaterThan(0);
    await expect(steps.count()).resolves.toBe(stored.trace.length);
    const policyStep = steps.filter({ hasText: 'policy' }).first();
    await expect(policyStep.textContent()).resolves.toContain('block');
    // The trace is an address: it opens again as it is, and a viewer's page has nothing to press.
    expect(new URL(page.url()).searchParams.get('trace')).toBe(`gate:${blocked.body.decision_id}`);
    expect(await page.locator('main button, main form').count()).toBe(0);
    // The trace fits the window: no horizontal scroll at 1366 px.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(VIEWPORT.width);
    await page.screenshot({ path: `${OUT}/decisions-trace.png`, fullPage: true });
  });

  it('finds a risk denial by its correlation id, and its trace names the cap', async () => {
    const engine = engineName('SRCH');
    await upsertRiskPolicy(t, tokens.operator, { engine, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50' });
    const key = `search-${randomBytes(4).toString('hex')}`;
    expect((await reserveRisk(t, tokens.engine, { engine, amount: '150', correlation_id: key })).status).toBe(403);

    const page = await signIn(tokens.operator);
    await visit(page, '/console/decisions');
    await searchFor(page, 'Engine, identity, correlation id or decision id', key);
    const risk = page.locator('section', { has: page.getByRole('heading', { name: 'Risk denials', exact: true }) });
    await expect(risk.locator('tbody tr').count()).resolves.toBe(1);
    const [event] = (await t.http('GET', `${G}/risk/events?correlation_id=${key}`)).body.items;
    await follow(page, `Trace of risk event ${event.id}`);
    const trace = (await page.locator('#trace').textContent())!;
    expect(trace).toContain('engine_exposure_cap');
    expect(trace).toContain(engine);
    // From the trace, the engine's name is one click from all its denials.
    await follow(page, `Decisions of ${engine}`, '#trace');
    await expect(page.locator('section', { has: page.getByRole('heading', { name: 'Risk denials', exact: true }) }).locator('tbody tr').count()).resolves.toBe(1);
  });

  it('finds an audit entry by its subject, with who, what and before/after, and pages by cursor', async () => {
    const engine = engineName('AUDP');
    await upsertRiskPolicy(t, tokens.operator, { engine, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '5', reason: 'first caps' });
    await upsertRiskPolicy(t, tokens.operator, { engine, max_daily_exposure: '25', max_open_risk: '10', max_daily_loss: '5', reason: 'raise exposure' });

    const page = await signIn(tokens.operator);
    await visit(page, '/console/audit');
    await searchFor(page, 'Subject', `risk_policy:${engine}`);
    const table = page.getByRole('table', { name: 'Audit entries, newest first' });
    const rows = table.locator(':scope > tbody > tr');
    await expect(rows.count()).resolves.toBe(2);
    const newest = rows.nth(0);
    await expect(newest.textContent()).resolves.toContain('raise exposure');
    const changed = newest.getByRole('table', { name: 'Fields changed' });
    // The cap, and the control's version it moved (change requests are filed against that version).
    await expect(changed.locator('tbody tr').count()).resolves.toBe(2);
    const cells = await changed.locator('tbody tr td').allTextContents();
    expect(cells[0]).toBe('control_version');
    expect(cells[1]).not.toBe(cells[2]);
    expect(cells.slice(3)).toEqual(['max_daily_exposure', '10', '25']);
    await page.screenshot({ path: `${OUT}/audit-subject.png`, fullPage: true });

    // One entry a page: Older, then Newer, walk the same two entries.
    await visit(page, `/console/audit?subject=${encodeURIComponent(`risk_policy:${engine}`)}&limit=1`);
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.nth(0).textContent()).resolves.toContain('raise exposure');
    await follow(page, 'Older audit entries');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.nth(0).textContent()).resolves.toContain('first caps');
    await expect(page.getByRole('link', { name: 'Older audit entries' }).count()).resolves.toBe(0);
    await follow(page, 'Newer audit entries');
    await expect(rows.nth(0).textContent()).resolves.toContain('raise exposure');
  });
});

describe('Outbox: a dead-lettered delivery is shown and replayed', () => {
  it('shows the dead letter per destination, an operator replays it, it is delivered and the replay is audited', async () => {
    const created = await t.http('POST', `${G}/approvals`, { kind: 'manual', subject: `outbox-page-${randomBytes(3).toString('hex')}`, reason: 'notify' }, { token: tokens.engine });
    expect(created.status).toBe(202);
    const subject = `approval:${created.body.approval_id}`;
    const deadOf = async () => (await t.http('GET', `${G}/outbox?status=dead&limit=500`, undefined, { token: tokens.operator })).body.items.filter((d: any) => d.subject === subject);
    await until(async () => (await deadOf()).length === 1);
    const [dead] = await deadOf();
    receiver.failWith = null;

    // A viewer may not read the outbox: told so, and nothing to press.
    const viewer = await signIn(tokens.viewer);
    await visit(viewer, '/console/outbox');
    await expect(viewer.locator('#content').textContent()).resolves.toContain('read by operators and admins');
    expect(await viewer.locator('main button, main form').count()).toBe(0);

    const page = await signIn(tokens.operator);
    await visit(page, '/console/outbox');
    const destinations = page.getByRole('table', { name: 'Deliveries per destination' });
    await expect(destinations.textContent()).resolves.toContain(receiver.url);
    await expect(destinations.textContent()).resolves.toMatch(/[1-9]\d* dead/);
    const row = page.getByRole('table', { name: 'Dead letters, newest first' }).locator('tbody tr', { hasText: subject });
    await expect(row.count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toContain('HTTP 503');
    await page.screenshot({ path: `${OUT}/outbox-dead.png`, fullPage: true });

    const form = page.getByRole('form', { name: `Replay delivery ${dead.id} (approval.requested)` });
    await form.getByLabel('Reason (optional)').fill('receiver fixed');
    await form.getByRole('button', { name: 'Replay' }).click();
    await page.locator('#notice', { hasText: 'queued again' }).waitFor();
    await receiver.waitFor((r) => r.some((x) => x.json.subject === subject));
    await until(async () => (await t.sql(`SELECT delivered_at IS NOT NULL AS done FROM notification_delivery WHERE id = $1`, [dead.id]))[0].done === true);

    await visit(page, '/console/outbox');
    await expect(page.locator('#content').textContent()).resolves.not.toContain(subject);
    await page.screenshot({ path: `${OUT}/outbox-replayed.png`, fullPage: true });

    // The replay is in the audit trail, found by its subject.
    await visit(page, '/console/audit');
    await searchFor(page, 'Subject', `outbox_delivery:${dead.id}`);
    const entries = page.getByRole('table', { name: 'Audit entries, newest first' }).locator(':scope > tbody > tr');
    await expect(entries.count()).resolves.toBe(1);
    await expect(entries.nth(0).textContent()).resolves.toContain('outbox.replay');
    await expect(entries.nth(0).textContent()).resolves.toContain('receiver fixed');
  });
});
