import pg from 'pg';
import { ApprovalsService } from '#approvals';
import type { Principal } from '#platform';
import { auditOf, goLiveApi, goLiveTokens } from './support/factories/go-live.js';
import { engineName, reserveRisk, RISK, upsertRiskPolicy } from './support/factories/risk.js';
import { successes, tripwireApi } from './support/factories/tripwire.js';
import { until } from './support/receiver.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 17 A: grants bound to what they undo, each written as the attack that used to succeed
 * (real HTTP, real PostgreSQL, the two-person rule on). The sequence must now fail and leave
 * everything as it was.
 */
const CAPS = { max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50' };

describe('grants bound to what they undo (two-person rule on)', () => {
  let t: TestApp;
  let tokens: Awaited<ReturnType<typeof goLiveTokens>>;
  let api: ReturnType<typeof goLiveApi>;
  let operator: Principal;

  beforeAll(async () => {
    t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'kill_switch_release,engine_reenable' } });
    tokens = await goLiveTokens(t);
    api = goLiveApi(t);
    const name = `grants-op-${Date.now()}`;
    const minted = await t.http('POST', '/api/governance/tokens', { name, role: 'operator' });
    operator = { tokenId: minted.body.id, name, role: 'operator', engines: null, domains: null };
  });
  afterAll(() => t?.close());

  const policyOf = async (engine: string) => (await t.sql(`SELECT enabled, disabled_reason, throttled_by, updated_by FROM risk_policy WHERE engine = $1`, [engine]))[0];
  const requestOf = async (id: string) => (await t.sql(`SELECT status, consumed_at, bound_version FROM approval_request WHERE id = $1`, [id]))[0];
  const handled = (id: string) => until(async () => (await t.sql(`SELECT handled_at IS NOT NULL AS h FROM approval_decided_event WHERE approval_id = $1`, [id]))[0]?.h === true);
  const switchRow = async () => (await t.sql(`SELECT kill_switch_engaged, kill_switch_version::text AS engagement FROM go_live_state WHERE id = 1`))[0];

  /** A THROTTLE tripwire on `engine` fired for real over HTTP; returns its `triggered` event id. */
  async function throttle(engine: string): Promise<string> {
    const tw = tripwireApi(t, tokens);
    const { domain, metric } = await tw.policy({ action: 'THROTTLE', target_engine: engine });
    await tw.feed(successes(domain, metric, 40, 0.95));
    await tw.feed(successes(domain, metric, 20, 0.3));
    expect((await tw.evaluate(domain, metric)).body).toMatchObject({ status: 'triggered', action: { type: 'THROTTLE', fired: true, status: 'done' } });
    const [event] = await t.sql(`SELECT id::text FROM regression_event WHERE domain = $1 AND metric = $2 AND type = 'triggered' ORDER BY id DESC LIMIT 1`, [domain, metric]);
    return `regression_event:${event.id}`;
  }

  it('the two-call re-enable: relabelling disabled_reason does not lift the throttle; enabled: true still waits (202)', async () => {
    const engine = engineName('RL');
    await upsertRiskPolicy(t, tokens.operator, { engine, ...CAPS });
    const throttledBy = await throttle(engine);
    expect(await policyOf(engine)).toMatchObject({ enabled: false, throttled_by: throttledBy, disabled_reason: expect.stringMatching(/^regression_tripwire /) });

    // Call 1: the words change (they are only words), the throttle does not.
    const relabel = await t.http('POST', `${RISK}/policies/upsert`, { engine, disabled_reason: 'ops' }, { token: tokens.operator });
    expect(relabel.status).toBe(200);
    expect(relabel.body).toMatchObject({ enabled: false, disabled_reason: 'ops', throttled_by: throttledBy });
    // Nor can the throttle be written directly.
    const forged = await t.http('POST', `${RISK}/policies/upsert`, { engine, throttled_by: null }, { token: tokens.operator });
    expect(forged.status).toBe(400);
    // Call 2: used to answer 200 and turn the engine on alone.
    const enable = await t.http('POST', `${RISK}/policies/upsert`, { engine, enabled: true, reason: 'ops says fine' }, { token: tokens.operator });
    expect(enable.status).toBe(202);
    expect(await requestOf(enable.body.approval_id)).toMatchObject({ status: 'pending', bound_version: throttledBy });
    expect(await policyOf(engine)).toMatchObject({ enabled: false, throttled_by: throttledBy });
    const denied = await reserveRisk(t, tokens.engine, { engine, amount: 1, correlation_id: `${engine}-1` });
    expect([denied.status, denied.body.reason_codes]).toEqual([403, ['policy_disabled']]);
    // Re-disabling with new words and enabling again: the same hold.
    await t.http('POST', `${RISK}/policies/upsert`, { engine, enabled: false, disabled_reason: 'maintenance' }, { token: tokens.operator });
    expect((await t.http('POST', `${RISK}/policies/upsert`, { engine, enabled: true }, { token: tokens.operator })).status).toBe(202);
    expect((await policyOf(engine)).throttled_by).toBe(throttledBy);

    // Only the approved act lifts it.
    expect((await api.approve(enable.body.approval_id, tokens.operator2)).status).toBe(200);
    await until(async () => (await policyOf(engine)).enabled === true);
    expect(await policyOf(engine)).toMatchObject({ enabled: true, throttled_by: null, disabled_reason: null });
  });

  it('a re-enable is bound to its throttle: a new throttle voids the open request; one approved for the old throttle lifts nothing', async () => {
    const engine = engineName('RB');
    await upsertRiskPolicy(t, tokens.operator, { engine, ...CAPS });
    const first = await throttle(engine);
    const asked = await t.http('POST', `${RISK}/policies/upsert`, { engine, enabled: true }, { token: tokens.operator });
    expect(asked.status).toBe(202);

    // A second tripwire throttles the same engine: a new throttle, and the request for the first is void.
    const second = await throttle(engine);
    expect(second).not.toBe(first);
    expect((await policyOf(engine)).throttled_by).toBe(second);
    expect(await requestOf(asked.body.approval_id)).toMatchObject({ status: 'cancelled', consumed_at: null });
    const [voided] = (await auditOf(t, 'approval.void')).filter((a) => a.subject === `approval:${asked.body.approval_id}`);
    expect(voided).toMatchObject({ principal: 'regression_tripwire', details: { bound_version: first, current_version: second, act: 'engine_reenable' } });
    const late = await api.approve(asked.body.approval_id, tokens.operator2);
    expect([late.status, late.body.error]).toEqual([409, 'approval_not_pending']);
    expect((await policyOf(engine)).enabled).toBe(false);

    // Approved, then the throttle changes before the act runs (the act waits on the policy row):
    // the act finds another throttle, runs nothing and says why.
    const again = await t.http('POST', `${RISK}/policies/upsert`, { engine, enabled: true }, { token: tokens.operator });
    expect(await requestOf(again.body.approval_id)).toMatchObject({ status: 'pending', bound_version: second });
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM risk_policy WHERE engine = $1 FOR UPDATE', [engine]);
      expect((await api.approve(again.body.approval_id, tokens.operator2)).status).toBe(200);
      await holder.query(`UPDATE risk_policy SET throttled_by = 'regression_event:third' WHERE engine = $1`, [engine]);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    await handled(again.body.approval_id);
    expect(await policyOf(engine)).toMatchObject({ enabled: false, throttled_by: 'regression_event:third' });
    expect((await requestOf(again.body.approval_id)).consumed_at).not.toBeNull();
    const [stale] = await t.sql(`SELECT principal, details FROM audit_log WHERE action = 'approval.act_stale' AND subject = $1`, [`approval:${again.body.approval_id}`]);
    expect(stale).toMatchObject({ principal: 'system', details: { bound_version: second, current_version: 'regression_event:third' } });
    expect(await t.sql(`SELECT 1 FROM audit_log WHERE action = 'risk.policy.enable' AND details->>'approval_id' = $1`, [again.body.approval_id])).toEqual([]);
  });

  it('a re-enable for an engine with no throttle, or no policy, is refused at filing (409 act_not_applicable), nothing filed', async () => {
    const approvals = t.app.get(ApprovalsService);
    const count = async () => (await t.sql(`SELECT count(*)::int AS n FROM approval_request WHERE act = 'engine_reenable'`))[0].n;
    const before = await count();
    const unthrottled = engineName('RU');
    await upsertRiskPolicy(t, tokens.operator, { engine: unthrottled, ...CAPS, enabled: false, reason: 'operator stop' });
    for (const subject of [`engine:${unthrottled}`, `engine:${engineName('NOPOLICY')}`]) {
      await expect(approvals.requestAct(operator, 'engine_reenable', { subject, payload: { action: 'enable' }, reason: 'x' })).rejects.toMatchObject({ status: 409, code: 'act_not_applicable' });
    }
    expect(await count()).toBe(before);
    // An operator's own stop is lifted by an operator at once, as before.
    expect((await t.http('POST', `${RISK}/policies/upsert`, { engine: unthrottled, enabled: true }, { token: tokens.operator })).status).toBe(200);
  });

  it('a release filed while the switch is released is refused (409 act_not_applicable), nothing filed', async () => {
    expect((await switchRow()).kill_switch_engaged).toBe(false);
    const before = (await t.sql(`SELECT count(*)::int AS n FROM approval_request`))[0].n;
    const audits = (await auditOf(t, 'go_live.kill_switch.release_requested')).length;
    const res = await api.release('pre-approve the next incident', tokens.operator);
    expect([res.status, res.body.error]).toEqual([409, 'act_not_applicable']);
    expect((await t.sql(`SELECT count(*)::int AS n FROM approval_request`))[0].n).toBe(before);
    expect((await auditOf(t, 'go_live.kill_switch.release_requested')).length).toBe(audits);
    expect((await switchRow()).kill_switch_engaged).toBe(false);
  });

  it('the stale release: a release filed during incident 1 is void once it ends, and cannot release incident 2', async () => {
    expect((await api.engage('incident 1', tokens.operator)).status).toBe(200);
    const incident1 = (await switchRow()).engagement;
    const stale = await api.release('incident 1 over', tokens.operator);
    const other = await api.release('incident 1 over (again)', tokens.operator);
    expect([stale.status, other.status]).toEqual([202, 202]);
    expect(await requestOf(stale.body.approval_id)).toMatchObject({ status: 'pending', bound_version: incident1 });

    expect((await api.approve(other.body.approval_id, tokens.operator2)).status).toBe(200);
    await until(async () => (await switchRow()).kill_switch_engaged === false);
    expect(await requestOf(stale.body.approval_id)).toMatchObject({ status: 'cancelled' });

    expect((await api.engage('incident 2', tokens.operator)).status).toBe(200);
    const incident2 = (await switchRow()).engagement;
    expect(incident2).not.toBe(incident1);
    const late = await api.approve(stale.body.approval_id, tokens.operator2);
    expect([late.status, late.body.error]).toEqual([409, 'approval_not_pending']);
    expect(await switchRow()).toEqual({ kill_switch_engaged: true, engagement: incident2 });
    const blocked = await t.http('POST', '/api/deals', { counterparty: 'acme', amount: '1' }, { token: tokens.engine });
    expect([blocked.status, blocked.body.error]).toEqual([403, 'kill_switch_engaged']);

    // Approved during incident 2's engagement, run once it was replaced by incident 3 (the act waits on the row): nothing released.
    const asked = await api.release('incident 2 over', tokens.operator);
    expect(await requestOf(asked.body.approval_id)).toMatchObject({ status: 'pending', bound_version: incident2 });
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM go_live_state WHERE id = 1 FOR UPDATE');
      expect((await api.approve(asked.body.approval_id, tokens.operator2)).status).toBe(200);
      // Released and engaged again (incident 3) before the act gets the row.
      await holder.query(`UPDATE go_live_state SET kill_switch_engaged = false, version = version + 1 WHERE id = 1`);
      await holder.query(`UPDATE go_live_state SET kill_switch_engaged = true, version = version + 1, reason = 'incident 3' WHERE id = 1`);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    await handled(asked.body.approval_id);
    const incident3 = await switchRow();
    expect(incident3.kill_switch_engaged).toBe(true);
    expect(incident3.engagement).not.toBe(incident2);
    const [staleAct] = await t.sql(`SELECT details FROM audit_log WHERE action = 'approval.act_stale' AND subject = $1`, [`approval:${asked.body.approval_id}`]);
    expect(staleAct.details).toMatchObject({ act: 'kill_switch_release', bound_version: incident2, current_version: incident3.engagement });
    expect(await t.sql(`SELECT 1 FROM audit_log WHERE action = 'go_live.kill_switch.release' AND details->>'approval_id' = $1`, [asked.body.approval_id])).toEqual([]);

    // Incident 3 is released by a request filed for it.
    const release3 = await api.release('incident 3 over', tokens.operator);
    await api.approve(release3.body.approval_id, tokens.operator2);
    await until(async () => (await switchRow()).kill_switch_engaged === false);
  });
});
