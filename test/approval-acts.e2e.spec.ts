import { Injectable, Module } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { ApprovalAct, ApprovalActsRegistry, ApprovalDecisionsService, type ApprovalResponseDto, ApprovalsModule, ApprovalsService } from '#approvals';
import { AuditService, defineLever, OutboxService, type Principal } from '#platform';
import { APPROVALS, goLiveApi, goLiveTokens } from './support/factories/go-live.js';
import { until, WebhookReceiver } from './support/receiver.js';
import { ALL_MIGRATIONS } from '../migrations/index.js';
import { createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

const PROBE = defineLever({ name: 'probe', title: 'Probe' });

/** A stand-in lever with one act: its effect writes an audit row and an outbox row, and fails on demand. */
const probe = { failing: false, runs: 0 };
@Injectable()
class ProbeActs {
  constructor(
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  @ApprovalAct({ lever: PROBE, kind: 'probe_act' })
  async run(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const actor: Principal = { tokenId: 'system', name: 'probe', role: 'admin', engines: null, domains: null };
    await this.audit.record(manager, actor, { action: 'probe.acted', subject: `approval:${approval.id}`, details: { consumed_at: approval.consumed_at } });
    await this.outbox.enqueue(manager, { topic: 'probe.acted', subject: `probe:${approval.id}`, body: { approval_id: approval.id }, text: 'probe acted' });
    probe.runs += 1;
    if (probe.failing) throw new Error('the act fails on purpose');
  }
}
@Module({ imports: [ApprovalsModule], providers: [ProbeActs] })
class ProbeModule {}

const count = async (t: TestApp, sql: string, params: unknown[]) => (await t.sql(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n as number;
const requestRow = async (t: TestApp, id: string) =>
  (await t.sql(`SELECT status, consumed_at, consumed_by, lever, act FROM approval_request WHERE id = $1`, [id]))[0];
const eventRow = async (t: TestApp, id: string) => (await t.sql(`SELECT handled_at, attempts, last_error FROM approval_decided_event WHERE approval_id = $1`, [id]))[0];

describe('approved acts: declared by their lever, discovered at start', () => {
  it('lists every lever kind and act (approvals names none of them); every kind is decided by operators and admins', async () => {
    const t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'none' } });
    try {
      const { kinds, acts } = t.app.get(ApprovalActsRegistry).list();
      expect(kinds.map((k) => [k.kind, k.lever])).toEqual([
        ['change', 'changes'],
        ['change_review', 'changes'],
        ['engine_reenable', 'risk'],
        ['gate_intent', 'gate'],
        ['gate_policy_change', 'gate'],
        ['heimdall_policy_change', 'heimdall'],
        ['heimdall_promotion', 'promotion'],
        ['kill_switch_release', 'go_live'],
        ['manual', 'approvals'],
        ['promotion_rules_change', 'promotion'],
        ['regression_policy_change', 'regression_tripwire'],
        ['risk_policy_change', 'risk'],
      ]);
      for (const k of kinds) expect(k.approverRoles).toEqual(['operator', 'admin']);
      expect(acts).toEqual([
        { act: 'engine_reenable', kind: 'engine_reenable', lever: 'risk', twoPerson: true },
        { act: 'gate_policy_change', kind: 'gate_policy_change', lever: 'gate', twoPerson: false },
        { act: 'heimdall_policy_change', kind: 'heimdall_policy_change', lever: 'heimdall', twoPerson: false },
        { act: 'heimdall_promotion', kind: 'heimdall_promotion', lever: 'promotion', twoPerson: false },
        { act: 'kill_switch_release', kind: 'kill_switch_release', lever: 'go_live', twoPerson: true },
        { act: 'promotion_rules_change', kind: 'promotion_rules_change', lever: 'promotion', twoPerson: false },
        { act: 'regression_policy_change', kind: 'regression_policy_change', lever: 'regression_tripwire', twoPerson: false },
        { act: 'risk_policy_change', kind: 'risk_policy_change', lever: 'risk', twoPerson: false },
      ]);
      // An unregistered kind is refused as before (400), whatever its spelling.
      const bad = await t.http('POST', APPROVALS, { kind: 'launch_missiles', subject: 's', reason: 'r' });
      expect([bad.status, bad.body.error]).toEqual([400, 'validation_failed']);
    } finally {
      await t.close();
    }
  });

  it('WARDEN_TWO_PERSON naming an act no lever registered stops the start, naming the variable and the known acts', async () => {
    await expect(startTestApp({ env: { WARDEN_TWO_PERSON: 'kill_switch_release,deploy' } })).rejects.toThrow(
      /WARDEN_TWO_PERSON names no registered two-person act: deploy \(known: engine_reenable, kill_switch_release; or none\)/,
    );
  });

  it('in production every registered two-person act is on unless configured', async () => {
    const t = await startTestApp({ env: { ENV: 'production' } });
    try {
      const approvals = t.app.get(ApprovalsService);
      expect([approvals.twoPerson('kill_switch_release'), approvals.twoPerson('engine_reenable')]).toEqual([true, true]);
      expect(() => approvals.twoPerson('heimdall_promotion')).toThrow(/not a registered two-person act/);
    } finally {
      await t.close();
    }
  });
});

describe('approved acts run once, in the transaction that consumes the grant (real HTTP, real PostgreSQL)', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let tokens: Awaited<ReturnType<typeof goLiveTokens>>;
  let approvals: ApprovalsService;
  let requester: { token: string; principal: Principal };

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'kill_switch_release', WARDEN_WEBHOOK_URLS: receiver.url, DB_LOCK_TIMEOUT_MS: '300' }, imports: [ProbeModule] });
    tokens = await goLiveTokens(t);
    approvals = t.app.get(ApprovalsService);
    const name = `acts-requester-${Date.now()}`;
    const minted = await t.http('POST', '/api/governance/tokens', { name, role: 'engine' });
    requester = { token: minted.body.token, principal: { tokenId: minted.body.id, name, role: 'engine', engines: null, domains: null } };
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });
  beforeEach(() => {
    probe.failing = false;
    probe.runs = 0;
  });

  const fileProbe = (subject: string) => approvals.requestAct(requester.principal, 'probe_act', { subject, payload: { n: 1 }, reason: 'probe' });

  it('an act whose transaction fails leaves the grant unconsumed and nothing of the act written; it runs once when a retry succeeds', async () => {
    probe.failing = true;
    const filed = await fileProbe('probe-fails');
    expect(await requestRow(t, filed.approval_id)).toMatchObject({ lever: 'probe', act: 'probe_act', consumed_at: null });
    expect((await t.http('POST', `${APPROVALS}/${filed.approval_id}/approve`, {}, { token: tokens.operator })).status).toBe(200);
    await until(async () => (await eventRow(t, filed.approval_id)).attempts >= 1);
    const failed = await eventRow(t, filed.approval_id);
    expect(failed).toMatchObject({ handled_at: null, last_error: 'the act fails on purpose' });
    expect(await requestRow(t, filed.approval_id)).toMatchObject({ status: 'approved', consumed_at: null, consumed_by: null });
    expect(await count(t, `audit_log WHERE action = 'probe.acted' AND subject = $1`, [`approval:${filed.approval_id}`])).toBe(0);
    expect(await count(t, `audit_log WHERE action = 'approval.consume' AND subject = $1`, [`approval:${filed.approval_id}`])).toBe(0);
    expect(await count(t, `notification_outbox WHERE subject = $1`, [`probe:${filed.approval_id}`])).toBe(0);
    // Approved but not consumed, yet its requester cannot consume it: only its act does.
    const stolen = await t.http('POST', `${APPROVALS}/${filed.approval_id}/consume`, { kind: 'probe_act', payload_digest: filed.payload_digest }, { token: requester.token });
    expect([stolen.status, stolen.body.error]).toEqual([409, 'grant_not_consumable']);
    expect(stolen.body.message).toMatch(/consumed only by its act \(probe: probe_act\)/);

    probe.failing = false;
    await until(async () => (await eventRow(t, filed.approval_id)).handled_at !== null);
    const row = await requestRow(t, filed.approval_id);
    expect(row.consumed_at).not.toBeNull();
    expect(row.consumed_by).toBe('system');
    expect(await count(t, `audit_log WHERE action = 'probe.acted' AND subject = $1`, [`approval:${filed.approval_id}`])).toBe(1);
    expect(await count(t, `audit_log WHERE action = 'approval.consume' AND subject = $1`, [`approval:${filed.approval_id}`])).toBe(1);
    expect(await count(t, `notification_outbox WHERE subject = $1`, [`probe:${filed.approval_id}`])).toBe(1);
    // The effect saw the grant consumed in its own transaction.
    const [acted] = await t.sql(`SELECT details FROM audit_log WHERE action = 'probe.acted' AND subject = $1`, [`approval:${filed.approval_id}`]);
    expect(acted.details.consumed_at).not.toBeNull();
  });

  it('rejected, expired or cancelled: the act does not run and the grant is never consumed', async () => {
    const rejected = await fileProbe('probe-rejected');
    await t.http('POST', `${APPROVALS}/${rejected.approval_id}/reject`, { reason: 'no' }, { token: tokens.operator });
    const cancelled = await fileProbe('probe-cancelled');
    expect((await t.http('POST', `${APPROVALS}/${cancelled.approval_id}/cancel`, {}, { token: requester.token })).status).toBe(200);
    const expired = await approvals.requestAct(requester.principal, 'probe_act', { subject: 'probe-expired', reason: 'probe', timeoutSeconds: 1 });
    t.clock.advance(2000);
    expect((await t.http('POST', `${APPROVALS}/${expired.approval_id}/approve`, {}, { token: tokens.operator })).body.error).toBe('approval_expired');
    // The sweep job's work (the job only delegates; its once-a-minute period is tested in approvals.e2e).
    expect(await t.app.get(DataSource).transaction((m) => t.app.get(ApprovalDecisionsService).expireDue(m))).toBeGreaterThanOrEqual(1);
    for (const id of [rejected.approval_id, cancelled.approval_id, expired.approval_id]) {
      await until(async () => (await eventRow(t, id))?.handled_at != null);
      expect((await requestRow(t, id)).consumed_at).toBeNull();
    }
    expect(probe.runs).toBe(0);
    expect(await count(t, `audit_log WHERE action = 'probe.acted' AND subject = ANY ($1)`, [[rejected, cancelled, expired].map((r) => `approval:${r.approval_id}`)])).toBe(0);
  });

  it('a request of an act kind filed over POST /approvals carries no act and never acts (a promotion, a release)', async () => {
    const api = goLiveApi(t);
    expect((await api.engage('acts: incident', tokens.operator)).status).toBe(200);
    const release = await t.http('POST', APPROVALS, { kind: 'kill_switch_release', subject: 'kill_switch', payload: { action: 'release' }, reason: 'let me go' }, { token: tokens.engine });
    const promote = await t.http(
      'POST',
      APPROVALS,
      { kind: 'heimdall_promotion', subject: 'heimdall:forged', payload: { domain: 'forged', verdict: 'promote', week: '2026-W01', decision_id: '1' }, reason: 'promote me' },
      { token: tokens.engine },
    );
    const probeKind = await t.http('POST', APPROVALS, { kind: 'probe_act', subject: 'probe-http', reason: 'act for me' }, { token: tokens.engine });
    for (const filed of [release, promote, probeKind]) {
      expect(filed.status).toBe(202);
      expect(await requestRow(t, filed.body.approval_id)).toMatchObject({ lever: null, act: null });
      expect((await t.http('POST', `${APPROVALS}/${filed.body.approval_id}/approve`, {}, { token: tokens.operator })).status).toBe(200);
    }
    for (const filed of [release, promote, probeKind]) {
      await until(async () => (await eventRow(t, filed.body.approval_id))?.handled_at != null);
      expect((await requestRow(t, filed.body.approval_id)).consumed_at).toBeNull();
    }
    expect((await api.state(tokens.viewer)).body.kill_switch_engaged).toBe(true);
    expect(probe.runs).toBe(0);
    expect(await count(t, `audit_log WHERE action IN ('promotion.apply', 'go_live.kill_switch.release') AND (details->>'approval_id') = ANY ($1)`, [[release, promote].map((r) => r.body.approval_id)])).toBe(0);
    // ... while the lever's own request acts.
    const asked = await api.release('acts: incident over', tokens.operator);
    expect(asked.status).toBe(202);
    expect(await requestRow(t, asked.body.approval_id)).toMatchObject({ lever: 'go_live', act: 'kill_switch_release' });
    await api.approve(asked.body.approval_id, tokens.operator2);
    await until(async () => (await api.state(tokens.viewer)).body.kill_switch_engaged === false);
  });

  it("a real lever's act blocked past its lock timeout rolls back whole (the switch stays engaged, the grant unconsumed) and completes once on retry", async () => {
    const api = goLiveApi(t);
    expect((await api.engage('acts: lock', tokens.operator)).status).toBe(200);
    const asked = await api.release('acts: lock over', tokens.operator);
    const id = asked.body.approval_id as string;
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM go_live_state WHERE id = 1 FOR UPDATE');
      await api.approve(id, tokens.operator2);
      await until(async () => (await eventRow(t, id)).attempts >= 1);
      expect((await eventRow(t, id)).last_error).toMatch(/lock timeout/);
      expect((await requestRow(t, id)).consumed_at).toBeNull();
      expect(await count(t, `audit_log WHERE action = 'go_live.kill_switch.release' AND details->>'approval_id' = $1`, [id])).toBe(0);
      expect(await count(t, `notification_outbox WHERE topic = 'kill_switch.released' AND body->>'approval_id' = $1`, [id])).toBe(0);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await until(async () => (await api.state(tokens.viewer)).body.kill_switch_engaged === false);
    await until(async () => (await eventRow(t, id)).handled_at !== null);
    expect((await requestRow(t, id)).consumed_at).not.toBeNull();
    expect(await count(t, `audit_log WHERE action = 'go_live.kill_switch.release' AND details->>'approval_id' = $1`, [id])).toBe(1);
    expect(await count(t, `notification_outbox WHERE topic = 'kill_switch.released' AND body->>'approval_id' = $1`, [id])).toBe(1);
  });
});

describe('migration ApprovalActs on existing data', () => {
  it('stamps the acts of requests their lever filed before the upgrade (from what it recorded then), and no other', async () => {
    const url = await createTestDatabase('migacts');
    const migrate = async (migrations: typeof ALL_MIGRATIONS) => {
      const ds = new DataSource({ type: 'postgres', url, migrations });
      await ds.initialize();
      await ds.runMigrations({ transaction: 'each' });
      return ds;
    };
    const before = await migrate(ALL_MIGRATIONS.slice(0, ALL_MIGRATIONS.findIndex((m) => m.name === 'ApprovalActs1763700001700')));
    const ids: Record<string, string> = {};
    try {
      const file = async (key: string, kind: string, requestedBy: string, correlationId: string | null, filedAs?: string) => {
        const [row] = await before.query(
          `INSERT INTO approval_request (kind, subject, payload, payload_digest, requested_by, requested_by_token, correlation_id, request_digest, reason, risk_level,
             min_approvals, approver_roles, created_at, expires_at)
           VALUES ($1, 's', '{}', 'd', $2, 't', $3, 'r', 'why', 'high', 1, '{operator,admin}', now(), now() + interval '1 hour') RETURNING id`,
          [kind, requestedBy, correlationId],
        );
        ids[key] = row.id;
        if (filedAs) await before.query(`INSERT INTO audit_log (principal, action, subject) VALUES ($1, $2, $3)`, [requestedBy, filedAs, `approval:${row.id}`]);
      };
      await file('release', 'kill_switch_release', 'op', null, 'go_live.kill_switch.release_requested');
      await file('releaseHttp', 'kill_switch_release', 'bot', null);
      await file('reenable', 'engine_reenable', 'op', null, 'risk.policy.reenable_requested');
      await file('reenableHttp', 'engine_reenable', 'bot', null);
      await file('promotion', 'heimdall_promotion', 'system', 'promotion:d:2026-W01');
      await file('promotionHttp', 'heimdall_promotion', 'bot', 'promotion:d:2026-W01');
      await file('manual', 'manual', 'bot', null);
    } finally {
      await before.destroy();
    }
    const after = await migrate(ALL_MIGRATIONS);
    try {
      const rows: Array<{ id: string; lever: string | null; act: string | null }> = await after.query(`SELECT id, lever, act FROM approval_request`);
      const byKey = Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, rows.find((r) => r.id === id)!]));
      expect(Object.fromEntries(Object.entries(byKey).map(([k, r]) => [k, [r.lever, r.act]]))).toEqual({
        release: ['go_live', 'kill_switch_release'],
        releaseHttp: [null, null],
        reenable: ['risk', 'engine_reenable'],
        reenableHttp: [null, null],
        promotion: ['promotion', 'heimdall_promotion'],
        promotionHttp: [null, null],
        manual: [null, null],
      });
      // Kinds are the levers' now: any well-spelled kind is stored; lever and act come together.
      await expect(after.query(`UPDATE approval_request SET kind = 'rate_limit' WHERE id = $1`, [ids.manual])).resolves.toBeDefined();
      await expect(after.query(`UPDATE approval_request SET kind = 'Not A Kind' WHERE id = $1`, [ids.manual])).rejects.toThrow(/ck_approval_request_kind/);
      await expect(after.query(`UPDATE approval_request SET act = 'x' WHERE id = $1`, [ids.manual])).rejects.toThrow(/ck_approval_request_act/);
    } finally {
      await after.destroy();
    }
  });
});
