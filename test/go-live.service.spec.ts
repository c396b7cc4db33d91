import { GoLiveChangesService, GoLiveChecklistService, GoLiveService } from '#go-live';
import { SYSTEM_PRINCIPAL } from '#platform';
import { auditOf } from './support/factories/go-live.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The go-live services against the real database: the state cache, the changes, their records. */
describe('go-live services', () => {
  let t: TestApp;
  let state: GoLiveService;
  let changes: GoLiveChangesService;

  beforeAll(async () => {
    t = await startTestApp({ env: { GO_LIVE_REQUIRED_ATTESTATIONS: 'service_runbook' } });
    state = t.app.get(GoLiveService);
    changes = t.app.get(GoLiveChangesService);
  });
  afterAll(() => t.close());

  it('a change updates the row, this instance\'s copy at once, the version, and the audit in one go', async () => {
    const [{ version: before }] = await t.sql(`SELECT version FROM go_live_state WHERE id = 1`);
    const after = await changes.engageKillSwitch(SYSTEM_PRINCIPAL, { reason: 'service test', actor: 'ops' });
    expect(after).toMatchObject({ kill_switch_engaged: true, go_live_enabled: false, reason: 'service test', changed_by: 'system' });
    expect(state.fresh()).toMatchObject({ kill_switch_engaged: true });
    expect(await state.killSwitchEngaged()).toBe(true);
    await expect(state.assertKillSwitchReleased()).rejects.toMatchObject({ code: 'kill_switch_engaged', status: 403 });
    const [{ version }] = await t.sql(`SELECT version FROM go_live_state WHERE id = 1`);
    expect(BigInt(version)).toBe(BigInt(before) + 1n);
    const [audit] = (await auditOf(t, 'go_live.kill_switch.engage')).slice(-1);
    expect(audit).toMatchObject({ principal: 'system', reason: 'service test', details: { before: { kill_switch_engaged: false }, after: { kill_switch_engaged: true } } });

    const released = await changes.releaseKillSwitch(SYSTEM_PRINCIPAL, { reason: 'service test over' });
    expect(released).toMatchObject({ status: 200, body: { kill_switch_engaged: false } });
    await expect(state.assertKillSwitchReleased()).resolves.toBeUndefined();
  });

  it('the copy never goes back to an older version (a slow read racing a newer write)', async () => {
    const current = state.lastKnown()!;
    state.accept({ ...current, kill_switch_engaged: !current.kill_switch_engaged, version: String(BigInt(current.version) - 1n) });
    expect(state.lastKnown()).toBe(current);
  });

  it('a change made behind this instance\'s back arrives through NOTIFY', async () => {
    await t.sql(`UPDATE go_live_state SET go_live_enabled = true, version = version + 1 WHERE id = 1; `);
    await t.sql(`SELECT pg_notify('warden_go_live', 'x')`);
    while (!state.lastKnown()?.go_live_enabled) await new Promise((r) => setTimeout(r, 20));
    expect((await state.state()).go_live_enabled).toBe(true);
    await changes.disable(SYSTEM_PRINCIPAL, { reason: 'back to safe' });
    expect(state.lastKnown()?.go_live_enabled).toBe(false);
  });

  it('enable with an incomplete checklist is 412 checklist_failed and recorded as refused; the row is unchanged', async () => {
    const versionBefore = state.lastKnown()!.version;
    const err = await changes.enable(SYSTEM_PRINCIPAL, { reason: 'too early' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'checklist_failed', status: 412 });
    expect((await auditOf(t, 'go_live.enable_refused')).length).toBeGreaterThanOrEqual(1);
    await state.refresh();
    expect(state.lastKnown()!.version).toBe(versionBefore);
    const checklist = await t.app.get(GoLiveChecklistService).attest(SYSTEM_PRINCIPAL, 'service_runbook', { attested: true, note: 'read it' });
    expect(checklist.required.service_runbook).toMatchObject({ ok: true, detail: expect.stringContaining('attested by system') });
    expect((await changes.enable(SYSTEM_PRINCIPAL, { reason: 'now' })).go_live_enabled).toBe(true);
    await changes.disable(SYSTEM_PRINCIPAL, { reason: 'back to safe' });
  });
});
