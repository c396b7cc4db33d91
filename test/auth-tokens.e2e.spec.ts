import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../migrations/index.js';
import { ADMIN_TOKEN, createTestDatabase, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Audit principals cannot be forged: token names are unique (case-insensitively, revoked tokens
 * included) and never a name Warden records for itself, and every audit row carries the id of the
 * token that acted beside its name (docs/auth.md, "Names and the audit trail").
 */
describe('auth: token names and the token id in the audit trail', () => {
  let t: TestApp;
  const TOKENS = '/api/governance/tokens';
  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
  const create = (body: Record<string, unknown>) => t.http('POST', TOKENS, body);

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('a duplicate name is 409 token_name_taken, whatever its case, even once the first is revoked', async () => {
    const name = unique('wholesale-bot');
    const first = await create({ name, role: 'engine', engines: ['WHOLESALE'] });
    expect(first.status).toBe(201);
    for (const again of [name, name.toUpperCase(), ` ${name} `]) {
      const res = await create({ name: again, role: 'viewer' });
      expect([again, res.status, res.body.error]).toEqual([again, 409, 'token_name_taken']);
    }
    expect((await t.http('POST', `${TOKENS}/${first.body.id}/revoke`, { reason: 'rotate' })).status).toBe(200);
    expect((await create({ name, role: 'viewer' })).body.error).toBe('token_name_taken');
    const rows = await t.sql(`SELECT id FROM api_token WHERE lower(name) = lower($1)`, [name]);
    expect(rows).toEqual([{ id: first.body.id }]);
  });

  it('the same new name sent concurrently: exactly one token gets it', async () => {
    const name = unique('race');
    const results = await Promise.all(Array.from({ length: 8 }, () => create({ name, role: 'viewer' })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error === 'token_name_taken')).toBe(true);
    expect(await t.sql(`SELECT count(*)::int AS n FROM api_token WHERE name = $1`, [name])).toEqual([{ n: 1 }]);
  });

  it('reserved names are 400 token_name_reserved, case-insensitively; look-alikes are 400 validation_failed', async () => {
    const before = (await t.sql(`SELECT count(*)::int AS n FROM api_token`))[0].n;
    for (const name of ['System', 'system', 'SYSTEM', 'bootstrap', 'Bootstrap-2', 'regression_tripwire', 'Tripwire', 'warden', 'scheduler', 'root', 'admin']) {
      const res = await create({ name, role: 'admin' });
      expect([name, res.status, res.body.error]).toEqual([name, 400, 'token_name_reserved']);
    }
    // A Cyrillic "ѕ", a zero-width space, a colon (the CLI's `cli:<user>`): not a token name.
    for (const name of ['\u0455ystem', 'sys\u200btem', 'cli:root', 'a\nb']) {
      const res = await create({ name, role: 'admin' });
      expect([JSON.stringify(name), res.status, res.body.error]).toEqual([JSON.stringify(name), 400, 'validation_failed']);
    }
    expect((await t.sql(`SELECT count(*)::int AS n FROM api_token`))[0].n).toBe(before);
  });

  it('audit rows carry the id of the token that acted; the audit API shows it and filters by it', async () => {
    const [bootstrap] = await t.sql(`SELECT id FROM api_token WHERE name = 'bootstrap'`);
    const name = unique('ops');
    const created = await create({ name, role: 'operator' });
    expect(created.status).toBe(201);
    const [tokenCreate] = await t.sql(`SELECT principal, principal_token_id FROM audit_log WHERE action = 'token.create' AND subject = $1`, [`token:${created.body.id}`]);
    expect(tokenCreate).toEqual({ principal: 'bootstrap', principal_token_id: bootstrap.id });

    const ops = created.body.token;
    await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'token id check', actor: 'system' }, { token: ops });
    await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'token id check done' }, { token: ops });
    const trail = await t.http('GET', `/api/governance/audit?principal_token_id=${created.body.id}`, undefined, { token: ops });
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((i: { action: string }) => i.action)).toEqual(['go_live.kill_switch.release', 'go_live.kill_switch.engage']);
    // The body's `actor` stays a label: the principal and its token id are the caller's.
    expect(trail.body.items[1]).toMatchObject({ principal: name, principal_token_id: created.body.id, actor_label: 'system' });
    const all = await t.http('GET', '/api/governance/audit?subject=go_live&limit=500', undefined, { token: ops });
    for (const row of all.body.items) expect(row.principal_token_id).toEqual(expect.any(String));
  });

  it('Warden\'s own acts record the token id `system`', async () => {
    const operator = await t.token('operator');
    const metric = `m_${randomBytes(3).toString('hex')}`;
    const domain = `D_${randomBytes(3).toString('hex').toUpperCase()}`;
    await t.http('POST', '/api/governance/risk/policies/upsert', { engine: domain, max_daily_exposure: '10', max_open_risk: '10', max_daily_loss: '10', enabled: true, reason: 't' }, { token: operator });
    const policy = { domain, metric, enabled: true, max_drop_fraction: 0.2, action: 'THROTTLE', window_events: 10, baseline_events: 10, min_events: 10, alpha: null, reason: 't' };
    expect((await t.http('POST', '/api/governance/regression/policies/upsert', policy, { token: operator })).status).toBe(200);
    const events = [...Array.from({ length: 10 }, () => ({ domain, metric, success: true })), ...Array.from({ length: 10 }, () => ({ domain, metric, success: false }))];
    expect((await t.http('POST', '/api/governance/regression/kpi', { events }, { token: operator })).status).toBe(201);
    const fired = await t.http('POST', `/api/governance/regression/evaluate?domain=${domain}&metric=${metric}`, undefined, { token: operator });
    expect(fired.body).toMatchObject({ status: 'triggered', action: { fired: true, status: 'done' } });
    const rows = await t.sql(`SELECT principal, principal_token_id FROM audit_log WHERE action IN ('risk.policy.disable', 'regression_tripwire.action') AND (subject = $1 OR subject = $2) ORDER BY id`, [
      `regression_tripwire:${domain}/${metric}`,
      `risk_policy:${domain}`,
    ]);
    expect(rows.length).toBe(2);
    for (const row of rows) expect(row).toEqual({ principal: 'regression_tripwire', principal_token_id: 'system' });
  });

  it('a changed WARDEN_BOOTSTRAP_TOKEN gets its own name beside the first bootstrap token; both work', async () => {
    const other = `test-other-bootstrap-${randomBytes(8).toString('hex')}`;
    const second = await startTestApp({ databaseUrl: t.databaseUrl, env: { WARDEN_BOOTSTRAP_TOKEN: other } });
    try {
      expect((await second.http('GET', TOKENS, undefined, { token: other })).status).toBe(200);
      expect((await second.http('GET', TOKENS, undefined, { token: ADMIN_TOKEN })).status).toBe(200);
      const names = (await second.sql(`SELECT name FROM api_token WHERE created_by = 'system' ORDER BY created_at`)).map((r) => r.name);
      expect(names).toEqual(['bootstrap', expect.stringMatching(/^bootstrap-[0-9a-f]{12}$/)]);
    } finally {
      await second.close();
    }
  });
});

describe('migration TokenNamesUnique / TokenBindingEngineOnly on existing data', () => {
  it('renames duplicate and reserved names deterministically, clears ignored bindings, audits each, then enforces both', async () => {
    const url = await createTestDatabase('mig');
    const upTo = (name: string) => ALL_MIGRATIONS.slice(0, ALL_MIGRATIONS.findIndex((m) => m.name === name));
    const run = async (migrations: typeof ALL_MIGRATIONS) => {
      const ds = new DataSource({ type: 'postgres', url, migrations });
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
        return ds;
      } catch (err) {
        await ds.destroy();
        throw err;
      }
    };
    const before = await run(upTo('AuditPrincipalTokenId1763700000600'));
    const ids: Record<string, string> = {};
    try {
      const insert = async (key: string, name: string, role: string, createdBy: string, at: string, engines: string[] | null = null) => {
        const [row] = await before.query(
          `INSERT INTO api_token (name, token_hash, role, engines, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [name, `hash-${key}`, role, engines, createdBy, at],
        );
        ids[key] = row.id;
      };
      await insert('boot', 'bootstrap', 'admin', 'system', '2030-01-01T00:00:00Z');
      await insert('boot2', 'bootstrap', 'admin', 'system', '2030-01-02T00:00:00Z');
      await insert('bot1', 'bot', 'engine', 'bootstrap', '2030-01-03T00:00:00Z', ['WHOLESALE']);
      await insert('bot2', 'BOT', 'engine', 'bootstrap', '2030-01-04T00:00:00Z');
      await insert('forged', 'System', 'operator', 'bootstrap', '2030-01-05T00:00:00Z', ['CAPITAL']);
      await insert('fakeboot', 'bootstrap', 'engine', 'bootstrap', '2029-01-01T00:00:00Z');
    } finally {
      await before.destroy();
    }

    const after = await run(ALL_MIGRATIONS);
    try {
      const rows: Array<{ id: string; name: string; engines: string[] | null }> = await after.query(`SELECT id, name, engines FROM api_token`);
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(ids.boot)!.name).toBe('bootstrap');
      expect(byId.get(ids.boot2)!.name).toBe(`bootstrap#${ids.boot2}`);
      expect(byId.get(ids.bot1)!).toMatchObject({ name: 'bot', engines: ['WHOLESALE'] });
      expect(byId.get(ids.bot2)!.name).toBe(`BOT#${ids.bot2}`);
      expect(byId.get(ids.forged)!).toMatchObject({ name: `System#${ids.forged}`, engines: null });
      expect(byId.get(ids.fakeboot)!.name).toBe(`bootstrap#${ids.fakeboot}`);

      const audit: Array<{ action: string; subject: string; principal: string; principal_token_id: string }> = await after.query(
        `SELECT action, subject, principal, principal_token_id FROM audit_log ORDER BY id`,
      );
      expect(audit.filter((a) => a.action === 'token.rename').map((a) => a.subject).sort()).toEqual(
        [ids.boot2, ids.bot2, ids.forged, ids.fakeboot].map((id) => `token:${id}`).sort(),
      );
      expect(audit.filter((a) => a.action === 'token.binding_cleared').map((a) => a.subject)).toEqual([`token:${ids.forged}`]);
      for (const a of audit) expect(a).toMatchObject({ principal: 'system', principal_token_id: 'system' });

      await expect(after.query(`INSERT INTO api_token (name, token_hash, role, created_by) VALUES ('Bot', 'h-x', 'viewer', 't')`)).rejects.toThrow(/ux_api_token_name/);
    } finally {
      await after.destroy();
    }
  });
});
