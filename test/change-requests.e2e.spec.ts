import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ApprovalActsRegistry } from '#approvals';
import { HeimdallPolicyService } from '#heimdall';
import { loadConfig, SYSTEM_PRINCIPAL } from '#platform';
import { RiskGuardService } from '#risk-guard';
import { G, STANDARD_POLICY, uniqueName } from './support/factories/gate.js';
import { engineName, RISK } from './support/factories/risk.js';
import { until } from './support/receiver.js';
import { type HttpResult, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Four eyes on every control (issue 22, item 3): with WARDEN_CHANGE_REQUESTS on (the production
 * default), a change to a risk policy, a tripwire, a Heimdall gate, a gate policy's activation or
 * mode, or the promotion rules is answered 202 with its diff and changes nothing; another person's
 * approval applies it through the approved-act mechanism, audited with both; the requester cannot
 * approve; a request whose control moved on is refused. Real HTTP, real PostgreSQL.
 */

const A = '/api/governance';
const APPROVALS = `${A}/approvals`;
const CONTROLS = ['gate.policy', 'heimdall.policy', 'promotion.rules', 'regression.policy', 'risk.policy'];



describe('WARDEN_CHANGE_REQUESTS (config)', () => {
  it('defaults to every control in production and none elsewhere; all, none and lists parse; a malformed value stops the start', () => {
    expect(CONTROLS.map((c) => loadConfig({ ENV: 'production' }).changeRequests(c))).toEqual(CONTROLS.map(() => true));
    expect(CONTROLS.map((c) => loadConfig({}).changeRequests(c))).toEqual(CONTROLS.map(() => false));
    expect(loadConfig({ WARDEN_CHANGE_REQUESTS: 'all' }).changeRequests('gate.policy')).toBe(true);
    expect(loadConfig({ ENV: 'production', WARDEN_CHANGE_REQUESTS: 'none' }).changeRequests('risk.policy')).toBe(false);
    const one = loadConfig({ ENV: 'production', WARDEN_CHANGE_REQUESTS: 'risk.policy' });
    expect([one.changeRequests('risk.policy'), one.changeRequests('gate.policy')]).toEqual([true, false]);
    expect(() => loadConfig({ WARDEN_CHANGE_REQUESTS: 'risk policy' })).toThrow(/WARDEN_CHANGE_REQUESTS must be none, all or a comma list of control names/);
    expect(() => loadConfig({ WARDEN_CHANGE_REQUESTS: ',' })).toThrow(/WARDEN_CHANGE_REQUESTS/);
  });

  it('a control no lever declared stops the start, naming the variable and the known controls', async () => {
    await expect(startTestApp({ env: { WARDEN_CHANGE_REQUESTS: 'risk.policy,risk.caps' } })).rejects.toThrow(
      /WARDEN_CHANGE_REQUESTS names no registered change-request control: risk\.caps \(known: gate\.policy, heimdall\.policy, promotion\.rules, regression\.policy, risk\.policy; or all, or none\)/,
    );
  });
});

/** One control under test: a fresh instance of it, how to change it, and how to read it back. */
interface ControlCase {
  control: string;
  fresh(): {
    /** What the change request names. */
    name: string;
    audit: { action: string; subject: string };
    create(token: string): Promise<HttpResult>;
    /** The change under test, and a second, different one proposed against the same version. */
    change(token: string, baseVersion?: string): Promise<HttpResult>;
    other(token: string): Promise<HttpResult>;
    /** The diff's paths the change must show. */
    paths: string[];
    read(token: string): Promise<any>;
    applied(view: any): boolean;
    otherApplied(view: any): boolean;
  };
}

let t: TestApp;
let operator: string;
let operator2: string;
let viewer: string;

const post = (path: string, body: unknown, token: string) => t.http('POST', path, body, { token });
const approve = (id: string, token: string) => post(`${APPROVALS}/${id}/approve`, { reason: 'looked at the diff' }, token);
const domainName = (p: string) => `${p}_${randomBytes(3).toString('hex')}`.toUpperCase();

const RULES = (code: string) => `- decision: pilot\n  condition: "raroi is not None and raroi < 1.2"\n  reason_code: ${code}\n`;

const CASES: ControlCase[] = [
  {
    control: 'risk.policy',
    fresh() {
      const engine = engineName('CR');
      const upsert = (body: Record<string, unknown>, token: string) => post(`${RISK}/policies/upsert`, { engine, ...body }, token);
      return {
        name: engine,
        audit: { action: 'risk.policy.update', subject: `risk_policy:${engine}` },
        create: (token) => upsert({ max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50', reason: 'new engine' }, token),
        change: (token, base_version) => upsert({ max_open_risk: '80', enforcement_mode: 'observe', reason: 'tighten', base_version }, token),
        other: (token) => upsert({ max_daily_loss: '40', reason: 'loss cap' }, token),
        paths: ['enforcement_mode', 'max_open_risk'],
        read: async (token) => (await t.http('GET', `${RISK}/policies`, undefined, { token })).body.find((p: any) => p.engine === engine),
        applied: (v) => Number(v?.max_open_risk) === 80 && v.enforcement_mode === 'observe',
        otherApplied: (v) => Number(v?.max_daily_loss) === 40,
      };
    },
  },
  {
    control: 'heimdall.policy',
    fresh() {
      const domain = domainName('CRH');
      const upsert = (body: Record<string, unknown>, token: string) => post(`${A}/heimdall/policies/upsert`, { domain, ...body }, token);
      return {
        name: domain,
        audit: { action: 'heimdall.policy.update', subject: `heimdall.policy:${domain}` },
        create: (token) => upsert({ min_confidence: 0.9, min_trials: 10, min_success_rate: 0.8 }, token),
        change: (token, base_version) => upsert({ min_trials: 20, prod_use_enabled: true, reason: 'ready', base_version }, token),
        other: (token) => upsert({ min_confidence: 0.95 }, token),
        paths: ['min_trials', 'prod_use_enabled'],
        read: async (token) => (await t.http('GET', `${A}/heimdall/policies`, undefined, { token })).body.find((p: any) => p.domain === domain),
        applied: (v) => v?.min_trials === 20 && v.prod_use_enabled === true,
        otherApplied: (v) => v?.min_confidence === 0.95,
      };
    },
  },
  {
    control: 'regression.policy',
    fresh() {
      const domain = domainName('CRT');
      const metric = 'accept_rate';
      const upsert = (body: Record<string, unknown>, token: string) => post(`${A}/regression/policies/upsert`, { domain, metric, ...body }, token);
      return {
        name: `${domain}/${metric}`,
        audit: { action: 'regression_tripwire.policy.update', subject: `regression_tripwire:${domain}/${metric}` },
        create: (token) => upsert({ max_drop_fraction: 0.2, action: 'ALERT' }, token),
        change: (token, base_version) => upsert({ enabled: true, max_drop_fraction: 0.3, reason: 'arm it', base_version }, token),
        other: (token) => upsert({ action: 'THROTTLE' }, token),
        paths: ['enabled', 'max_drop_fraction'],
        read: async (token) => (await t.http('GET', `${A}/regression/policies`, undefined, { token })).body.find((p: any) => p.domain === domain && p.metric === metric),
        applied: (v) => v?.enabled === true && v.max_drop_fraction === 0.3,
        otherApplied: (v) => v?.action === 'THROTTLE',
      };
    },
  },
  {
    control: 'gate.policy',
    fresh() {
      const name = uniqueName('cr');
      const v2 = STANDARD_POLICY.replace('default_verdict: block', 'default_verdict: allow');
      let v2Digest: string | undefined;
      const put = (yaml: string, token: string, query = '') => t.http('PUT', `${G}/policies/${name}${query}`, undefined, { token, raw: yaml, headers: { 'content-type': 'application/yaml' } });
      return {
        name,
        audit: { action: 'gate.policy.update', subject: `gate_policy:${name}` },
        create: (token) => put(STANDARD_POLICY, token),
        // Uploading a version is inert (200, stored, not active); activating it is the change.
        change: async (token, base_version) => {
          const stored = await put(v2, token);
          expect(stored.status).toBe(200);
          v2Digest = stored.body.digest;
          return post(`${G}/policies/${name}/activate`, { digest: stored.body.digest, reason: 'allow by default', base_version }, token);
        },
        other: (token) => post(`${G}/policies/${name}/mode`, { mode: 'observe', reason: 'watch first' }, token),
        paths: ['active_digest'],
        read: async (token) => {
          const res = await t.http('GET', `${G}/policies/${name}`, undefined, { token });
          if (res.status !== 200) return undefined;
          const { versions: _versions, ...policy } = res.body;
          return policy;
        },
        applied: (v) => !!v2Digest && v?.active_digest === v2Digest,
        otherApplied: (v) => v?.mode === 'observe',
      };
    },
  },
  {
    control: 'promotion.rules',
    fresh() {
      const tag = randomBytes(3).toString('hex');
      const put = (body: Record<string, unknown>, token: string) => t.http('PUT', `${A}/heimdall/promotion/rules`, body, { token });
      return {
        name: 'promotion_rules',
        audit: { action: 'promotion.rules.put', subject: 'promotion_rules' },
        create: (token) => put({ source: RULES(`first_${tag}`), reason: 'first file' }, token),
        change: (token, base_version) => put({ source: RULES(`second_${tag}`), reason: 'rename the code', base_version }, token),
        other: (token) => put({ source: RULES(`third_${tag}`) }, token),
        paths: ['digest', 'source'],
        read: async (token) => (await t.http('GET', `${A}/heimdall/promotion/rules`, undefined, { token })).body,
        applied: (v) => typeof v?.source === 'string' && v.source.includes(`second_${tag}`),
        otherApplied: (v) => typeof v?.source === 'string' && v.source.includes(`third_${tag}`),
      };
    },
  },
];

const approvalOf = async (id: string) => (await t.http('GET', `${APPROVALS}/${id}`, undefined, { token: viewer })).body;

/** The control exists: created by a change request of its own, approved by the other operator. */
async function establish(c: ReturnType<ControlCase['fresh']>): Promise<any> {
  const filed = await c.create(operator);
  expect(filed.status).toBe(202);
  // A new control (the rule file aside: there is one, the built-ins' or a file put before) has nothing before.
  if (c.name !== 'promotion_rules') expect(filed.body.change_request).toMatchObject({ before: null, base_version: 'absent' });
  expect((await approve(filed.body.approval_id, operator2)).status).toBe(200);
  await until(async () => (await approvalOf(filed.body.approval_id)).consumed_at !== null);
  return c.read(viewer);
}

describe('change requests on (ENV=production: the default holds every control)', () => {
  beforeAll(async () => {
    t = await startTestApp({ env: { ENV: 'production' } });
    // Minted before any request: a token made after a request may not decide it.
    [operator, operator2, viewer] = await Promise.all([t.token('operator'), t.token('operator'), t.token('viewer')]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every lever declared its control on its own act', () => {
    expect(t.app.get(ApprovalActsRegistry).changeRequestControls()).toEqual([
      { control: 'gate.policy', act: 'gate_policy_change', lever: 'gate' },
      { control: 'heimdall.policy', act: 'heimdall_policy_change', lever: 'heimdall' },
      { control: 'promotion.rules', act: 'promotion_rules_change', lever: 'promotion' },
      { control: 'regression.policy', act: 'regression_policy_change', lever: 'regression_tripwire' },
      { control: 'risk.policy', act: 'risk_policy_change', lever: 'risk' },
    ]);
  });

  it("the OpenAPI document declares each held route's 202 with its change request, typed", async () => {
    const doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
    const ref = '#/components/schemas/ChangeRequestCreatedResponseDto';
    const accepted = (method: string, path: string) => doc.paths[`${A}${path}`][method].responses['202'].content['application/json'].schema;
    for (const [method, path] of [
      ['post', '/regression/policies/upsert'],
      ['post', '/heimdall/policies/upsert'],
      ['put', '/gate/policies/{name}'],
      ['post', '/gate/policies/{name}/activate'],
      ['post', '/gate/policies/{name}/mode'],
      ['put', '/heimdall/promotion/rules'],
    ]) {
      expect(accepted(method, path)).toEqual({ $ref: ref });
    }
    // The risk upsert's 202 is a change request or the two-person rule's re-enable request.
    expect(accepted('post', '/risk/policies/upsert')).toEqual({ anyOf: [{ $ref: ref }, { $ref: '#/components/schemas/ApprovalCreatedResponseDto' }] });
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas.ChangeRequestCreatedResponseDto.properties)).toEqual(expect.arrayContaining(['approval_id', 'status', 'expires_at', 'payload_digest', 'change_request']));
    expect(JSON.stringify(schemas.ChangeRequestCreatedResponseDto.properties.change_request)).toContain('#/components/schemas/ChangeRequestDto');
    expect(schemas.ChangeRequestDto.required).toEqual(expect.arrayContaining(['control', 'subject', 'base_version', 'before', 'after', 'diff']));
    expect(schemas.ChangeRequestDto.properties.diff.items).toEqual({ $ref: '#/components/schemas/ChangeDiffEntryDto' });
    expect(schemas.RiskPolicyResponseDto.required).toContain('control_version');
  });

  it.each(CASES.map((c) => [c.control, c] as const))(
    '%s: 202 with the diff and nothing changed; the requester cannot approve; another person approves and it is applied, audited with both',
    async (control, kase) => {
      const c = kase.fresh();
      const before = await establish(c);
      expect(before.control_version).toMatch(/^[0-9a-f]{32}$/);

      const res = await c.change(operator);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ approval_id: expect.any(String), status: 'pending', expires_at: expect.any(String), min_approvals: 1, payload_digest: expect.any(String) });
      const cr = res.body.change_request;
      expect(cr).toMatchObject({ control, subject: c.name, base_version: before.control_version, before: expect.any(Object), after: expect.any(Object) });
      expect(cr.diff.map((d: any) => d.path)).toEqual(c.paths);
      for (const d of cr.diff) expect([d.before, d.after]).toEqual([cr.before[d.path], cr.after[d.path]]);
      expect(Object.keys(cr.after)).not.toContain('updated_at');
      const approval = await approvalOf(res.body.approval_id);
      expect(approval).toMatchObject({ status: 'pending', payload: { change_request: cr }, bound_version: before.control_version });
      expect(await c.read(viewer)).toEqual(before);

      const self = await approve(res.body.approval_id, operator);
      expect([self.status, self.body.error]).toEqual([403, 'self_decision_forbidden']);
      expect(await c.read(viewer)).toEqual(before);

      expect((await approve(res.body.approval_id, operator2)).status).toBe(200);
      await until(async () => c.applied(await c.read(viewer)));
      const after = await c.read(viewer);
      expect(after.control_version).not.toBe(before.control_version);
      const [row] = await t.sql(`SELECT principal, details FROM audit_log WHERE action = $1 AND subject = $2 AND details->>'approval_id' = $3`, [
        c.audit.action,
        c.audit.subject,
        res.body.approval_id,
      ]);
      expect(row.details).toMatchObject({ requested_by: expect.stringMatching(/^operator-/), approved_by: [expect.stringMatching(/^operator-/)], base_version: before.control_version, control });
      expect(row.details.approved_by[0]).not.toBe(row.details.requested_by);
      const [requested] = await t.sql(`SELECT principal FROM audit_log WHERE action LIKE '%.change_requested' AND details->>'approval_id' = $1`, [res.body.approval_id]);
      expect(requested.principal).toBe(row.details.requested_by);
      expect((await approvalOf(res.body.approval_id)).consumed_at).not.toBeNull();
    },
  );

  it.each(CASES.map((c) => [c.control, c] as const))(
    '%s: a request whose control changed meanwhile is refused; so is a change sent with a stale base_version',
    async (_control, kase) => {
      const c = kase.fresh();
      const base = await establish(c);
      const first = await c.change(operator);
      const second = await c.other(operator);
      expect([first.status, second.status]).toEqual([202, 202]);
      expect(second.body.change_request.base_version).toBe(base.control_version);

      expect((await approve(first.body.approval_id, operator2)).status).toBe(200);
      await until(async () => c.applied(await c.read(viewer)));
      // The second was filed against the version the first replaced: voided, never applied.
      await until(async () => (await approvalOf(second.body.approval_id)).status === 'cancelled');
      const late = await approve(second.body.approval_id, operator2);
      expect([late.status, late.body.error]).toEqual([409, 'approval_not_pending']);
      const now = await c.read(viewer);
      expect(c.otherApplied(now)).toBe(false);
      const [voided] = await t.sql(`SELECT details FROM audit_log WHERE action = 'approval.void' AND subject = $1`, [`approval:${second.body.approval_id}`]);
      expect(voided.details).toMatchObject({ bound_version: base.control_version, current_version: now.control_version });

      const conflict = await c.change(operator, base.control_version);
      expect([conflict.status, conflict.body.error, conflict.body.details]).toEqual([409, 'control_version_conflict', { base_version: base.control_version, current_version: now.control_version }]);
      expect(await c.read(viewer)).toEqual(now);
    },
  );

  it('two requests approved before either ran: one is applied, the other finds its version moved on and applies nothing (approval.act_stale)', async () => {
    const c = CASES[0].fresh();
    const base = await establish(c);
    const first = await c.change(operator);
    const second = await c.other(operator);
    // Hold the policy's lock (the one its writes and its acts take) so that neither act runs until both are approved.
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`policy:risk_policy:${c.name}`]);
      expect((await approve(first.body.approval_id, operator2)).status).toBe(200);
      expect((await approve(second.body.approval_id, operator2)).status).toBe(200);
      expect(await c.read(viewer)).toEqual(base);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    const consumed = async (id: string) => (await approvalOf(id)).consumed_at !== null;
    await until(async () => (await consumed(first.body.approval_id)) && (await consumed(second.body.approval_id)));
    const now = await c.read(viewer);
    expect([c.applied(now), c.otherApplied(now)].filter(Boolean)).toHaveLength(1);
    const stale = await t.sql(`SELECT subject, details FROM audit_log WHERE action = 'approval.act_stale' AND subject = ANY($1)`, [
      [`approval:${first.body.approval_id}`, `approval:${second.body.approval_id}`],
    ]);
    expect(stale).toHaveLength(1);
    expect(stale[0].details).toMatchObject({ act: 'risk_policy_change', bound_version: base.control_version, current_version: now.control_version });
    expect(stale[0].subject).toBe(`approval:${c.applied(now) ? second.body.approval_id : first.body.approval_id}`);
  });

  it('a change the lever makes directly meanwhile (a throttle, an approved promotion) voids the open request', async () => {
    const risk = CASES[0].fresh();
    await establish(risk);
    const asked = await risk.change(operator);
    expect(asked.status).toBe(202);
    await t.app.get(RiskGuardService).disableEngine(SYSTEM_PRINCIPAL, risk.name, 'maintenance');
    expect((await approvalOf(asked.body.approval_id)).status).toBe('cancelled');
    expect([(await approve(asked.body.approval_id, operator2)).status]).toEqual([409]);

    const heimdall = CASES[1].fresh();
    await establish(heimdall);
    const held = await heimdall.change(operator);
    // In-process, as the Friday promotion's approved act writes it.
    await t.app.get(HeimdallPolicyService).upsert(SYSTEM_PRINCIPAL, { domain: heimdall.name, prod_use_enabled: true, reason: 'promotion approved' });
    expect((await approvalOf(held.body.approval_id)).status).toBe('cancelled');
    expect(heimdall.applied(await heimdall.read(viewer))).toBe(false);
  });

  it('a proposal that changes nothing files nothing (200 with the control as it is); bad input is 400 and files nothing', async () => {
    const c = CASES[0].fresh();
    const current = await establish(c);
    const same = await post(`${RISK}/policies/upsert`, { engine: c.name, max_open_risk: current.max_open_risk }, operator);
    expect([same.status, same.body.control_version]).toEqual([200, current.control_version]);
    const bad = await post(`${RISK}/policies/upsert`, { engine: c.name, max_open_risk: '-5' }, operator);
    expect(bad.status).toBe(400);
    const badVersion = await post(`${RISK}/policies/upsert`, { engine: c.name, max_open_risk: '5', base_version: 'nope' }, operator);
    expect([badVersion.status, badVersion.body.error]).toEqual([400, 'validation_failed']);
    const incomplete = await post(`${RISK}/policies/upsert`, { engine: engineName('CRX'), max_open_risk: '5' }, operator);
    expect([incomplete.status, incomplete.body.error]).toEqual([400, 'policy_incomplete']);
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM approval_request WHERE act = 'risk_policy_change' AND status = 'pending'`);
    expect(n).toBe(0);
  });
});

describe('change requests per control (WARDEN_CHANGE_REQUESTS=risk.policy in development)', () => {
  beforeAll(async () => {
    t = await startTestApp({ env: { WARDEN_CHANGE_REQUESTS: 'risk.policy' } });
    [operator, operator2, viewer] = await Promise.all([t.token('operator'), t.token('operator'), t.token('viewer')]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the listed control is held; every other control changes at once, as before, and exposes its version', async () => {
    const [risk, ...others] = CASES.map((c) => c.fresh());
    const held = await risk.create(operator);
    expect([held.status, held.body.change_request.control]).toEqual([202, 'risk.policy']);
    expect(await risk.read(viewer)).toBeUndefined();
    for (const c of others) {
      expect((await c.create(operator)).status).toBe(200);
      const before = await c.read(viewer);
      expect(before.control_version).toMatch(/^[0-9a-f]{32}$/);
      const res = await c.change(operator, before.control_version);
      expect(res.status).toBe(200);
      expect(res.body.change_request).toBeUndefined();
      const after = await c.read(viewer);
      expect(c.applied(after)).toBe(true);
      // A direct change with a stale base version is refused too, and changes nothing.
      const stale = await c.change(operator, before.control_version);
      expect([stale.status, stale.body.error]).toEqual([409, 'control_version_conflict']);
      expect(await c.read(viewer)).toEqual(after);
    }
  });
});
