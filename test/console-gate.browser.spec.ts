import { existsSync, mkdirSync } from 'node:fs';
import pw from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { ManualClock } from '#platform';
import { PromotionReviewService } from '#promotion/server';
import { G as GATE, intent, putPolicy, STANDARD_POLICY, uniqueName } from './support/factories/gate.js';
import { HeimdallFactory } from './support/factories/heimdall.js';
import { CARDS, OVERRIDE_KEY, PROMOTION, signedOverride } from './support/factories/promotion.js';
import { closeAll } from './support/console-browser.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The gate and promotion pages in headless Chromium (Debian's `chromium`, through playwright-core)
 * against the real app and database: real policies, decisions, Friday verdicts and overrides. An
 * operator uploads a gate policy version, reads its diff, simulates it against the recorded
 * traffic, activates it and sets the mode; a viewer sees the same pages without a button.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const OUT = 'test-output/console';
const VIEWPORT = { width: 1366, height: 768 };
/** 2031-03-14 is a Friday: its review covers 2031-03-07..2031-03-13. */
const FRIDAY = '2031-03-14T08:00:00Z';

// The candidate blocks reads of /secrets and lets the build agent write without approval.
const CANDIDATE = `${STANDARD_POLICY}  - name: no-secrets
    priority: 1
    effect: block
    match:
      tool_names: [tool.read]
      target_values: [/secrets]
    reason_codes: [secret_read_blocked]
  - name: builder-writes
    priority: 15
    effect: allow
    match:
      tool_names: [tool.write]
      identities: [builder]
`;

let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const tokens = { viewer: '', operator: '' };
const policy = uniqueName('pay');
let activeDigest = '';
let strong = '';

const withPath = (tool: string, identity: string, path: string) => ({ ...intent(tool, identity), targets: [{ kind: 'path', value: path, operation: tool.split('.')[1] }] });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  mkdirSync(OUT, { recursive: true });
  t = await startTestApp({ env: { WARDEN_OVERRIDE_KEY: OVERRIDE_KEY }, clock: new ManualClock('2031-03-10T10:00:00Z') });
  browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  [tokens.viewer, tokens.operator] = await Promise.all([t.token('viewer'), t.token('operator')]);

  // Gate: an active policy and its traffic.
  const put = await putPolicy(t, policy, STANDARD_POLICY, { token: tokens.operator });
  expect(put.status).toBe(200);
  activeDigest = put.body.digest;
  for (const [i, [tool, who, path]] of [['tool.read', 'alice', '/srv/a'], ['tool.read', 'alice', '/secrets'], ['tool.write', 'builder', '/srv/b'], ['tool.delete', 'alice', '/srv/d']].entries()) {
    expect([200, 202, 403]).toContain((await t.http('POST', `${GATE}/evaluate`, { policy, intent: withPath(tool, who, path), correlation_id: `gate-page-${i}` })).status);
  }

  // Promotion: a Friday review over a week of Heimdall trials, and an on-demand evaluation with a signed override.
  const h = await HeimdallFactory.create(t);
  strong = await h.policy({ min_confidence: 0.8, min_trials: 1, min_success_rate: 0.75, prod_use_enabled: false }, 'STRONG');
  await h.trials(strong, 4, 4, 0.9);
  t.clock.set(FRIDAY);
  await t.app.get(DataSource).transaction((m) => t.app.get(PromotionReviewService).reviewWeek(m, new Date(FRIDAY)));
  const overridden = await t.http('POST', `${PROMOTION}/evaluate`, { domain: 'PROMO_B', scorecard: CARDS.weak, override: signedOverride({ verdict: 'promote', reason: 'break-glass' }) }, { token: tokens.operator });
  expect(overridden.status).toBe(200);
}, 180_000);

afterAll(() => closeAll(contexts, browser, t), 60_000);

async function signIn(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${t.url}/console/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${t.url}/console`);
  return page;
}

async function visit(page: Page, path: string): Promise<void> {
  await page.goto(`${t.url}${path}`);
  await page.waitForSelector('#content[aria-busy="false"]');
}

/** Waits for the page to be redrawn after an act (the shell sets aria-busy while it loads). */
const redrawn = (page: Page) => page.waitForSelector('#content[aria-busy="false"]');
const gatePolicy = async () => (await t.http('GET', `${GATE}/policies/${policy}`, undefined, { token: tokens.viewer })).body;

describe('gate and promotion pages (headless Chromium)', () => {
  it('the gate page shows the policies, the active version and mode, the figures and the recent decisions with their trace', async () => {
    const page = await signIn(tokens.viewer);
    await visit(page, '/console/gate');
    const content = page.locator('#content');
    await expect(content.getByRole('heading', { name: `Policy ${policy}` }).isVisible()).resolves.toBe(true);
    await expect(content.textContent()).resolves.toContain(activeDigest.slice(0, 12));
    const figures = await content.locator('section').filter({ hasText: 'Decisions so far' }).textContent();
    expect(figures).toMatch(/Processed\s*4/);
    expect(figures).toMatch(/Blocked\s*1/);
    const decisions = content.getByRole('table', { name: 'Recent gate decisions' });
    await expect(decisions.locator('tbody tr').count()).resolves.toBe(4);
    await decisions.locator('summary').first().click();
    await expect(decisions.getByLabel(/^Trace of decision/).first().textContent()).resolves.toContain('"step": "policy"');
    await page.screenshot({ path: `${OUT}/gate-viewer.png`, fullPage: true });

    // A viewer: every page of this lever without a button, a form or a field.
    for (const path of ['/console/gate', '/console/promotion']) {
      await visit(page, path);
      await expect(page.locator('#content button, #content form, #content textarea, #content select, #content input').count()).resolves.toBe(0);
    }
  });

  it('an operator uploads a version, reads its diff against the active one, simulates it against recent traffic, activates it and sets the mode', async () => {
    const page = await signIn(tokens.operator);
    await visit(page, '/console/gate');
    const upload = page.getByRole('form', { name: 'Upload a policy version' });
    await upload.getByLabel('Policy name').fill(policy);
    await upload.getByLabel(/Policy YAML/).fill(CANDIDATE);
    await upload.getByRole('button', { name: 'Upload version' }).click();
    await page.locator('#notice').filter({ hasText: 'Not active: review it below' }).waitFor();
    await redrawn(page);
    const candidate = (await gatePolicy()).versions.find((v: any) => !v.active);
    expect(candidate).toBeDefined();
    expect((await gatePolicy()).active_digest).toBe(activeDigest);

    // The diff of the version just uploaded is open: the added rules, nothing removed.
    const diff = page.getByLabel('Line diff against the active version');
    await expect(diff.isVisible()).resolves.toBe(true);
    const added = await diff.locator('ins').allTextContents();
    expect(added.join('')).toContain('+   - name: no-secrets');
    expect(added.join('')).toContain('+       identities: [builder]');
    await expect(diff.locator('del').count()).resolves.toBe(0);

    const short = candidate.digest.slice(0, 12);
    await page.getByRole('form', { name: `Simulate version ${short} of ${policy}` }).getByRole('button').click();
    const simulation = page.getByTestId('simulation');
    await simulation.filter({ hasText: `Replayed 4 recent decision(s) of ${policy}: 2 would change` }).waitFor();
    await expect(simulation.getByRole('table', { name: 'Decisions that would change' }).locator('tbody tr').count()).resolves.toBe(2);
    await expect(simulation.textContent()).resolves.toContain('secret_read_blocked');
    await page.screenshot({ path: `${OUT}/gate.png`, fullPage: true });

    const activate = page.getByRole('form', { name: `Activate version ${short} of ${policy}` });
    await activate.getByLabel('Reason for activating').fill('simulated: blocks secret reads, frees the builder');
    await activate.getByRole('button', { name: 'Activate this version' }).click();
    await page.locator('#notice').filter({ hasText: `activation of ${policy} version ${short}: done.` }).waitFor();
    await redrawn(page);
    expect((await gatePolicy()).active_digest).toBe(candidate.digest);

    const mode = page.getByRole('form', { name: `Set the mode of ${policy}` });
    await mode.locator('select[name=mode]').selectOption('observe');
    await mode.getByLabel('Reason for the mode change').fill('watch it for a day');
    await mode.getByRole('button', { name: 'Set mode' }).click();
    await page.locator('#notice').filter({ hasText: `mode observe for ${policy}: done.` }).waitFor();
    await redrawn(page);
    expect((await gatePolicy()).mode).toBe('observe');
    await expect(page.getByRole('heading', { name: `Policy ${policy}` }).locator('..').textContent()).resolves.toContain('observe');
  });

  it('an act answered 202 (a change request) is shown as pending with its approval, never as done', async () => {
    // Until change requests guard activation here, the answer is the API's 202 shape, given at the network edge.
    const page = await signIn(tokens.operator);
    await page.route('**/api/governance/gate/policies/*/activate', (route) =>
      route.fulfill({ status: 202, contentType: 'application/json', body: JSON.stringify({ status: 'pending', approval_id: '7d3c1f0e-0000-4000-8000-000000000001' }) }),
    );
    await putPolicy(t, policy, `${STANDARD_POLICY}# another version\n`, { token: tokens.operator });
    await visit(page, '/console/gate');
    const before = (await gatePolicy()).active_digest;
    const act = page.locator('form[aria-label^="Activate version"]').first();
    await act.getByLabel('Reason for activating').fill('needs four eyes');
    await act.getByRole('button').click();
    await page.locator('#notice').filter({ hasText: 'Pending' }).waitFor();
    await expect(page.locator('#notice a.pending-link').getAttribute('href')).resolves.toBe('/console/approvals#7d3c1f0e-0000-4000-8000-000000000001');
    expect(await page.locator('#notice').textContent()).not.toContain(': done');
    await redrawn(page);
    const pending = page.locator('#content section').filter({ hasText: 'Pending approval' });
    await expect(pending.getByRole('link', { name: 'Open Approvals' }).getAttribute('href')).resolves.toBe('/console/approvals');
    await expect(pending.textContent()).resolves.toContain('7d3c1f0e-0000-4000-8000-000000000001');
    expect((await gatePolicy()).active_digest).toBe(before);
  });

  it('the promotion page shows the Friday verdicts, the overrides used and the rules', async () => {
    const page = await signIn(tokens.viewer);
    await visit(page, '/console/promotion');
    const friday = page.getByRole('table', { name: 'Friday verdicts, newest first' });
    await expect(friday.textContent()).resolves.toContain(strong);
    await expect(friday.textContent()).resolves.toContain('2031-03-14');
    const overrides = page.getByRole('table', { name: 'Decisions that used a signed override' });
    await expect(overrides.textContent()).resolves.toContain('PROMO_B');
    await expect(overrides.textContent()).resolves.toContain('manual_override');
    await expect(page.locator('#content').textContent()).resolves.toContain('built-in rules only');
    await page.screenshot({ path: `${OUT}/promotion.png`, fullPage: true });
  });

  it('an operator puts a new promotion rule file from the page; a file that does not compile is refused naming the rule', async () => {
    const page = await signIn(tokens.operator);
    await visit(page, '/console/promotion');
    await page.locator('details[data-key="rules-edit"] summary').click();
    const form = page.getByRole('form', { name: 'Put a new rule file' });
    await form.getByLabel(/^Rule file/).fill('- decision: no_go\n  condition: raroi < 0.5\n  reason_code: raroi_far_below\n');
    await form.getByLabel('Reason (required)').fill('stricter floor');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/heimdall/promotion/rules') && r.request().method() === 'PUT'), form.getByRole('button', { name: 'Put rule file' }).click()]);
    await page.locator('#notice').getByText('Rule file put.').waitFor();
    const rules = (await t.http('GET', `${PROMOTION}/rules`, undefined, { token: tokens.viewer })).body;
    expect(rules).toMatchObject({ rule_count: 1, created_by: expect.any(String), reason: 'stricter floor' });
    expect(rules.source).toContain('raroi_far_below');
    await redrawn(page);

    // The shell keeps an open edit box open across the redraw.
    const box = page.locator('details[data-key="rules-edit"]');
    if ((await box.getAttribute('open')) === null) await box.locator('summary').click();
    await form.getByLabel(/^Rule file/).fill('- decision: no_go\n  condition: __import__("os")\n  reason_code: bad\n');
    await form.getByLabel('Reason (required)').fill('try');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/heimdall/promotion/rules') && r.request().method() === 'PUT'), form.getByRole('button', { name: 'Put rule file' }).click()]);
    await page.locator('#notice').getByText(/^Refused/).waitFor();
    expect((await t.http('GET', `${PROMOTION}/rules`, undefined, { token: tokens.viewer })).body.version).toBe(rules.version);
  });
});
