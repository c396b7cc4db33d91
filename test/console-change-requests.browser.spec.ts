import type { Browser, BrowserContext } from 'playwright-core';
import { closeAll, launch, loaded, OUT, signIn, visit } from './support/console-browser.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 22's change-request round trip, in headless Chromium against the real app and database, with
 * change requests on for risk caps (WARDEN_CHANGE_REQUESTS=risk.policy): an operator edits a cap on
 * the risk page → the notice says pending with its link, nothing changed → the request shows the
 * diff, and its requester has no Approve button → another person approves on the page → the cap is
 * changed and audited with both names. A request filed against a version that moved on is refused.
 */
const G = '/api/governance';

let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const tokens: Record<'opA' | 'opB', string> = { opA: '', opB: '' };
const names: Record<string, string> = {};

const policyOf = async (engine: string) => {
  const body = (await t.http('GET', `${G}/risk/policies`)).body;
  return (Array.isArray(body) ? body : body.items).find((p: { engine: string }) => p.engine === engine);
};

/** Waits (bounded) for the approved act, which runs after the approval's answer. */
async function until<T>(probe: () => Promise<T>, expected: T): Promise<T> {
  for (let i = 0; i < 100; i += 1) {
    const v = await probe();
    if (v === expected) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return probe();
}

/** A change through the API as opA, approved by opB when it is held (the setup, not the test). */
async function changed(body: Record<string, unknown>): Promise<void> {
  const res = await t.http('POST', `${G}/risk/policies/upsert`, body, { token: tokens.opA });
  if (res.status === 202) expect((await t.http('POST', `${G}/approvals/${res.body.approval_id}/approve`, {}, { token: tokens.opB })).status).toBe(200);
  else expect(res.status).toBe(200);
}

beforeAll(async () => {
  t = await startTestApp({ env: { WARDEN_CHANGE_REQUESTS: 'risk.policy', WARDEN_TWO_PERSON: 'none' } });
  browser = await launch();
  for (const key of ['opA', 'opB'] as const) {
    const res = await t.http('POST', `${G}/tokens`, { name: `cr-${key}-${Date.now().toString(36)}`, role: 'operator' });
    tokens[key] = res.body.token;
    names[key] = res.body.name;
  }
  await changed({ engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null, reason: 'setup' });
  await changed({ engine: 'WHOLESALE', max_daily_exposure: '1000', max_open_risk: '1000', max_daily_loss: '200', enforcement_mode: 'enforce', reason: 'setup' });
}, 180_000);

afterAll(() => closeAll(contexts, browser, t), 60_000);

describe('a change request from the console (WARDEN_CHANGE_REQUESTS=risk.policy)', () => {
  it('edit a cap → pending with its diff → the requester cannot approve → another person approves → changed and audited', async () => {
    const a = await signIn(browser, t.url, tokens.opA, contexts);
    await visit(a, t.url, '/console/risk');
    const box = a.locator('details[data-key="caps-WHOLESALE"]');
    if ((await box.getAttribute('open')) === null) await box.locator('summary').click();
    const form = a.getByRole('form', { name: 'Caps of WHOLESALE' });
    await form.getByLabel('Daily exposure cap').fill('1500');
    await form.getByLabel('Reason (required)').fill('quarter end');
    const [answer] = await Promise.all([a.waitForResponse((r) => r.url().endsWith('/risk/policies/upsert')), form.getByRole('button', { name: 'Save caps' }).click()]);
    expect(answer.status()).toBe(202);
    const id = (await answer.json()).approval_id as string;
    // Pending, never done: the notice links to the request, and the cap is unchanged.
    const link = a.locator('#notice a.pending-link');
    await link.waitFor();
    expect(await a.locator('#notice').textContent()).toContain('Pending');
    expect(await a.locator('#notice').textContent()).not.toContain('saved');
    expect((await policyOf('WHOLESALE')).max_daily_exposure).toBe('1000');

    await link.click();
    await loaded(a);
    const mine = a.locator(`tr[id="${id}"]`);
    await mine.locator('table.diff').waitFor();
    expect(await mine.locator('table.diff tbody tr').first().locator('td').allTextContents()).toEqual(['max_daily_exposure', '1000', '1500']);
    expect(await mine.getByRole('button', { name: /^Approve/ }).count()).toBe(0); // the requester cannot approve it
    expect((await t.http('POST', `${G}/approvals/${id}/approve`, {}, { token: tokens.opA })).status).toBe(403); // nor through the API

    const b = await signIn(browser, t.url, tokens.opB, contexts);
    await visit(b, t.url, `/console/approvals#${id}`);
    const row = b.locator(`tr[id="${id}"]`);
    await row.locator('table.diff').waitFor();
    await b.screenshot({ path: `${OUT}/change-request-round-trip.png`, fullPage: true });
    await Promise.all([b.waitForResponse((r) => r.url().endsWith(`/approvals/${id}/approve`)), row.getByRole('button', { name: /^Approve/ }).click()]);
    expect(await until(async () => (await policyOf('WHOLESALE')).max_daily_exposure, '1500')).toBe('1500');
    const [audit] = await t.sql(`SELECT principal, details FROM audit_log WHERE action = 'risk.policy.update' AND subject LIKE '%WHOLESALE%' ORDER BY id DESC LIMIT 1`);
    expect(JSON.stringify(audit.details)).toContain(id);
    expect(JSON.stringify(audit.details)).toContain(names.opA);
    expect(JSON.stringify(audit.details)).toContain(names.opB);
  });

  it('a request filed against a version that moved on is refused, and the page no longer offers it', async () => {
    const stale = await t.http('POST', `${G}/risk/policies/upsert`, { engine: 'WHOLESALE', max_daily_loss: '300', reason: 'more room' }, { token: tokens.opA });
    const other = await t.http('POST', `${G}/risk/policies/upsert`, { engine: 'WHOLESALE', max_open_risk: '900', reason: 'less open risk' }, { token: tokens.opA });
    expect([stale.status, other.status]).toEqual([202, 202]);
    const b = await signIn(browser, t.url, tokens.opB, contexts);
    await visit(b, t.url, `/console/approvals#${stale.body.approval_id}`);
    await b.locator(`tr[id="${stale.body.approval_id}"]`).getByRole('button', { name: /^Approve/ }).waitFor();
    // The other request is approved first: the cap's version moves on, and the first request with it.
    expect((await t.http('POST', `${G}/approvals/${other.body.approval_id}/approve`, {}, { token: tokens.opB })).status).toBe(200);
    expect(await until(async () => (await policyOf('WHOLESALE')).max_open_risk, '900')).toBe('900');
    const refused = await t.http('POST', `${G}/approvals/${stale.body.approval_id}/approve`, {}, { token: tokens.opB });
    expect(refused.status).toBe(409);
    expect((await policyOf('WHOLESALE')).max_daily_loss).toBe('200');
    await visit(b, t.url, `/console/approvals?status=#${stale.body.approval_id}`);
    const row = b.locator(`tr[id="${stale.body.approval_id}"]`);
    await row.waitFor();
    expect(await row.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
  });
});
