import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeAll, launch, loaded, OUT, signIn, visit } from './support/console-browser.js';
import { evaluate, intent, putPolicy, STANDARD_POLICY } from './support/factories/gate.js';
import { HeimdallFactory } from './support/factories/heimdall.js';
import { reserveRisk, upsertRiskPolicy } from './support/factories/risk.js';
import { tripwireApi } from './support/factories/tripwire.js';
import { ADMIN_TOKEN, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The operator's week from the console, in headless Chromium against the real app and database:
 * each act done through its page's form, then checked through the API (and the audit trail), and
 * the approvals page showing what a request is, who decided it so far and who may still.
 */
const G = '/api/governance';

let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const tokens: Record<'viewer' | 'engine' | 'opA' | 'opB' | 'opC', string> = { viewer: '', engine: '', opA: '', opB: '', opC: '' };
const names: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'none' } });
  browser = await launch();
  for (const [key, role] of [['viewer', 'viewer'], ['engine', 'engine'], ['opA', 'operator'], ['opB', 'operator'], ['opC', 'operator']] as const) {
    const res = await t.http('POST', `${G}/tokens`, { name: `acts-${key}-${Date.now().toString(36)}`, role });
    tokens[key] = res.body.token;
    names[key] = res.body.name;
  }
  await upsertRiskPolicy(t, tokens.opA, { engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null });
  await upsertRiskPolicy(t, tokens.opA, { engine: 'WHOLESALE', max_daily_exposure: '1000', max_open_risk: '1000', max_daily_loss: '200', max_actions_per_day: 50, enforcement_mode: 'enforce' });
}, 180_000);

afterAll(() => closeAll(contexts, browser, t), 60_000);

const policyOf = async (engine: string) => {
  const body = (await t.http('GET', `${G}/risk/policies`, undefined, { token: tokens.viewer })).body;
  return (Array.isArray(body) ? body : body.items).find((p: { engine: string }) => p.engine === engine);
};

/** Opens an edit box (a <details>) by its summary, as a person would, unless it is open already. */
async function openEdit(page: Page, key: string): Promise<void> {
  const box = page.locator(`details[data-key="${key}"]`);
  if ((await box.getAttribute('open')) === null) await box.locator('summary').click();
}

async function submitted(page: Page, form: ReturnType<Page['getByRole']>, button: string, text: string): Promise<void> {
  // The answer to this act (not a notice left by the one before), then its notice.
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/governance/')), form.getByRole('button', { name: button }).click()]);
  await page.locator('#notice').getByText(text).waitFor({ timeout: 10_000 }).catch(async (e) => {
    throw new Error(`${(e as Error).message}; the notice says: ${await page.locator('#notice').textContent()}`);
  });
  await loaded(page);
}

describe('console acts (headless Chromium)', () => {
  let op: Page;
  beforeAll(async () => {
    op = await signIn(browser, t.url, tokens.opA, contexts);
  });

  it('engages and releases the kill switch', async () => {
    const engage = op.getByRole('form', { name: 'Engage the kill switch' });
    await engage.getByLabel('Reason (required)').fill('drill');
    await submitted(op, engage, 'Engage kill switch', 'Kill switch engaged.');
    expect((await t.http('GET', `${G}/go-live/state`)).body.kill_switch_engaged).toBe(true);
    const release = op.getByRole('form', { name: 'Release the kill switch' });
    await release.getByLabel('Reason (required)').fill('drill over');
    await submitted(op, release, 'Release kill switch', 'Kill switch released.');
    expect((await t.http('GET', `${G}/go-live/state`)).body.kill_switch_engaged).toBe(false);
  });

  it('edits an engine\u2019s cap and enforcement mode (only what changed is sent), audited', async () => {
    await visit(op, t.url, '/console/risk');
    const card = op.locator('#engine-WHOLESALE');
    await openEdit(op, 'caps-WHOLESALE');
    const form = op.getByRole('form', { name: 'Caps of WHOLESALE' });
    await form.getByLabel('Daily exposure cap').fill('1200');
    await form.getByLabel('Enforcement').selectOption('observe');
    await form.getByLabel('Reason (required)').fill('quarter end');
    const [request] = await Promise.all([op.waitForRequest((r) => r.url().endsWith('/risk/policies/upsert')), form.getByRole('button', { name: 'Save caps' }).click()]);
    expect(request.postDataJSON()).toEqual({ engine: 'WHOLESALE', reason: 'quarter end', max_daily_exposure: '1200', enforcement_mode: 'observe' });
    await op.locator('#notice').getByText('WHOLESALE caps saved.').waitFor();
    expect(await policyOf('WHOLESALE')).toMatchObject({ max_daily_exposure: '1200', max_open_risk: '1000', max_daily_loss: '200', enforcement_mode: 'observe' });
    const [audit] = await t.sql(`SELECT principal, reason FROM audit_log WHERE action = 'risk.policy.update' AND subject LIKE '%WHOLESALE%' ORDER BY id DESC LIMIT 1`);
    expect(audit).toMatchObject({ principal: names.opA, reason: 'quarter end' });
    await loaded(op);
    await card.getByText('Observe', { exact: true }).waitFor();
    // An empty cap is "no cap": null.
    await openEdit(op, 'caps-WHOLESALE'); // kept open across the page's render
    await form.getByLabel('Actions per day').fill('');
    await form.getByLabel('Reason (required)').fill('no action cap');
    await submitted(op, form, 'Save caps', 'WHOLESALE caps saved.');
    expect((await policyOf('WHOLESALE')).max_actions_per_day).toBeNull();
  });

  it('voids a reservation', async () => {
    expect((await reserveRisk(t, tokens.engine, { engine: 'WHOLESALE', amount: '25', correlation_id: 'acts-void-1' })).status).toBe(201);
    await visit(op, t.url, '/console/risk');
    const form = op.getByRole('form', { name: 'Void reservation acts-void-1' });
    await form.getByLabel('Reason to void (required)').fill('order abandoned');
    await submitted(op, form, 'Void', 'Reservation acts-void-1 voided.');
    const [row] = await t.sql(`SELECT status FROM risk_reservation WHERE correlation_id = 'acts-void-1'`);
    expect(row.status).toBe('voided');
    expect(await op.getByRole('form', { name: 'Void reservation acts-void-1' }).count()).toBe(0);
  });

  it('edits Heimdall gate thresholds and prod_use_enabled', async () => {
    const heimdall = await HeimdallFactory.create(t);
    const domain = await heimdall.policy({ prod_use_enabled: false, min_trials: 10 }, 'ACTS');
    await visit(op, t.url, '/console/heimdall');
    await openEdit(op, `gates-${domain}`);
    const form = op.getByRole('form', { name: `Gates of ${domain}` });
    await form.getByLabel('Production use enabled').check();
    await form.getByLabel('Min trials').fill('12');
    await form.getByLabel('Reason (required)').fill('pilot');
    await submitted(op, form, 'Save gates', `Gates of ${domain} saved.`);
    const list = (await t.http('GET', `${G}/heimdall/policies`)).body;
    expect((Array.isArray(list) ? list : list.items).find((p: { domain: string }) => p.domain === domain)).toMatchObject({ prod_use_enabled: true, min_trials: 12 });
  });

  it('edits a tripwire policy (enabled, threshold, action) and resets its baseline', async () => {
    const tripwire = tripwireApi(t, { operator: tokens.opA, engine: tokens.engine });
    const { domain, metric } = await tripwire.policy({ action: 'THROTTLE', target_engine: 'WHOLESALE', enabled: false });
    await visit(op, t.url, '/console/tripwires');
    await openEdit(op, `tw-${domain} ${metric}`);
    const form = op.getByRole('form', { name: `Tripwire ${domain} ${metric}` });
    await form.getByLabel('Enabled').check();
    await form.getByLabel('Max drop (fraction)').fill('0.35');
    await form.getByLabel('Action', { exact: true }).selectOption('ALERT');
    await form.getByLabel('Reason (required)').fill('calmer');
    await submitted(op, form, 'Save tripwire', `Tripwire ${domain} ${metric} saved.`);
    const policies = (await t.http('GET', `${G}/regression/policies`)).body;
    expect((Array.isArray(policies) ? policies : policies.items).find((p: { domain: string }) => p.domain === domain)).toMatchObject({ enabled: true, max_drop_fraction: 0.35, action: 'ALERT' });

    const reset = op.getByRole('form', { name: `Reset the baseline of ${domain} ${metric}` });
    await reset.getByLabel('Reason (required)').fill('friday');
    await submitted(op, reset, 'Reset baseline', `Baseline of ${domain} ${metric} reset.`);
    const [audit] = await t.sql(`SELECT principal FROM audit_log WHERE action LIKE 'regression_tripwire.baseline%' ORDER BY id DESC LIMIT 1`);
    expect(audit.principal).toBe(names.opA);
  });

  it('generates a past week\u2019s review once', async () => {
    await visit(op, t.url, '/console/reviews');
    const form = op.getByRole('form', { name: 'Generate a weekly review' });
    // The field offers last week, which the Monday job may have written at start (catch-up): an older one.
    expect(await form.getByLabel('Week').inputValue()).toMatch(/^\d{4}-W\d{2}$/);
    const week = '2025-W20';
    await form.getByLabel('Week').fill(week);
    await submitted(op, form, 'Generate review', `Review ${week} generated.`);
    await op.getByRole('link', { name: `Week ${week}` }).waitFor();
    expect((await t.http('GET', `${G}/reviews/${week}`)).status).toBe(200);
    await form.getByRole('button', { name: 'Generate review' }).click();
    await op.locator('#notice.error').getByText('review_exists').waitFor();
  });

  it('creates a token (its secret shown once) and revokes it', async () => {
    const admin = await signIn(browser, t.url, ADMIN_TOKEN, contexts);
    await visit(admin, t.url, '/console/tokens');
    const form = admin.getByRole('form', { name: 'Create a token' });
    const name = `console-made-${Date.now().toString(36)}`;
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = (await admin.getByTestId('new-token').textContent())!;
    expect(secret.length).toBeGreaterThan(20);
    expect((await t.http('GET', `${G}/go-live/state`, undefined, { token: secret })).status).toBe(200);
    await loaded(admin);
    await admin.getByRole('row').filter({ hasText: name }).waitFor();
    await admin.screenshot({ path: `${OUT}/tokens-created.png`, fullPage: true });
    // Shown once: the list (and a reload) never carries it.
    await visit(admin, t.url, '/console/tokens');
    expect(await admin.content()).not.toContain(secret);

    const revoke = admin.getByRole('form', { name: `Revoke ${name}` });
    await revoke.getByLabel('Reason (required)').fill('not needed');
    await submitted(admin, revoke, 'Revoke', `Token ${name} revoked`);
    expect((await t.http('GET', `${G}/go-live/state`, undefined, { token: secret })).status).toBe(401);
    // An operator is not shown the tokens, and gets no form.
    await visit(op, t.url, '/console/tokens');
    await op.getByText('Tokens are managed by an admin').waitFor();
    expect(await op.locator('main form').count()).toBe(0);
  });
});

describe('console approvals page (headless Chromium)', () => {
  it('shows a gate intent for what it is, the decisions so far ("1 of 2", by whom), and no Approve for who already voted', async () => {
    expect((await putPolicy(t, 'default', STANDARD_POLICY, { token: tokens.opA })).status).toBe(200);
    // Filed by an engine (the admin made the operators' tokens: it could not have them decide its own request).
    const agent = await t.token('engine', { identities: ['agent-ledger'] });
    const asked = await evaluate(t, { intent: intent('tool.write', 'agent-ledger') }, agent);
    expect(asked.status).toBe(202);
    const id = asked.body.approval_id as string;

    const b = await signIn(browser, t.url, tokens.opB, contexts);
    await visit(b, t.url, '/console/approvals');
    const row = b.locator(`tr[id="${id}"]`);
    for (const text of ['tool.write', 'agent-ledger', 'path:/srv/app/config.yaml', '0 of 2 approvals']) await row.getByText(text).first().waitFor();
    await row.getByRole('button', { name: /^Approve/ }).click();
    await b.locator('#notice').getByText('Approved gate_intent').waitFor({ timeout: 10_000 }).catch(async (e) => {
      throw new Error(`${(e as Error).message}; the notice says: ${await b.locator('#notice').textContent()}`);
    });
    await loaded(b);
    await row.getByText('1 of 2 approvals').waitFor();
    await row.getByText(`You approved it: waiting for another person (1 of 2)`).waitFor();
    expect(await row.getByRole('button').count()).toBe(0);
    await expect(row.textContent()).resolves.toContain(`approved by ${names.opB}`);

    const c = await signIn(browser, t.url, tokens.opC, contexts);
    await visit(c, t.url, `/console/approvals#${id}`);
    const rowC = c.locator(`tr[id="${id}"]`);
    await rowC.getByText(`approved by ${names.opB}`).waitFor();
    await c.screenshot({ path: `${OUT}/approvals-gate-intent.png`, fullPage: true });
    await rowC.getByRole('button', { name: /^Approve/ }).click();
    await c.locator('#notice').getByText('Approved gate_intent').waitFor();
    expect((await t.http('GET', `${G}/approvals/${id}`)).body).toMatchObject({ status: 'approved', approvals: 2 });

    // Every status: the approved request is under Approved (and All), not under Pending.
    await visit(c, t.url, '/console/approvals?status=approved');
    await c.locator(`tr[id="${id}"]`).getByText('Approved', { exact: true }).waitFor();
    await visit(c, t.url, '/console/approvals');
    expect(await c.locator(`tr[id="${id}"]`).count()).toBe(0);
    await visit(c, t.url, '/console/approvals?status=');
    expect(await c.locator(`tr[id="${id}"]`).count()).toBe(1);
  });

  it('shows a change request as a diff table, and a rejected request with who rejected it', async () => {
    const filed = await t.http('POST', `${G}/approvals`, {
      kind: 'manual',
      subject: 'risk_policy:WHOLESALE',
      reason: 'raise the cap',
      payload: { change_request: { control: 'risk_policy', subject: 'WHOLESALE', base_version: '7', before: { max_daily_exposure: '1000' }, after: { max_daily_exposure: '1500' }, diff: [{ path: 'max_daily_exposure', before: '1000', after: '1500' }] } },
    }, { token: tokens.opA });
    expect(filed.status).toBe(202);
    const id = filed.body.approval_id as string;
    const b = await signIn(browser, t.url, tokens.opB, contexts);
    await visit(b, t.url, `/console/approvals#${id}`);
    const diff = b.locator(`tr[id="${id}"] table.diff`);
    await diff.waitFor();
    await expect(diff.locator('tbody tr').first().locator('td').allTextContents()).resolves.toEqual(['max_daily_exposure', '1000', '1500']);
    await b.locator(`tr[id="${id}"]`).getByText('Filed against version').waitFor();
    await b.screenshot({ path: `${OUT}/approvals-change-request.png`, fullPage: true });

    const reject = b.getByRole('form', { name: 'Reject manual risk_policy:WHOLESALE' });
    await reject.getByLabel('Reason to reject').fill('too much');
    await submitted(b, reject, 'Reject', 'Rejected manual risk_policy:WHOLESALE.');
    await visit(b, t.url, '/console/approvals?status=rejected');
    const row = b.locator(`tr[id="${id}"]`);
    await row.getByText('Rejected', { exact: true }).waitFor();
    await expect(row.textContent()).resolves.toContain(`rejected by ${names.opB}`);
    expect(await row.getByRole('button').count()).toBe(0);
  });
});
