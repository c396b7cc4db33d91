import { DataSource } from 'typeorm';
import { applyRepeatableSql, repeatableChecksum } from '#platform';
import { RISK_GUARD_REPEATABLE_SQL } from '#risk-guard';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The risk guard's SQL functions live once in libs/risk-guard/src/sql and are applied when their text changes. */
describe('repeatable SQL (risk guard functions)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const fn = (version: number) => ({
    name: 'warden_test_version',
    sql: `CREATE OR REPLACE FUNCTION warden_test_version() RETURNS integer LANGUAGE sql AS $$ SELECT ${version} $$;`,
  });

  it('at start, every risk function is applied from its file and recorded with its checksum', async () => {
    const rows = await t.sql(`SELECT name, checksum FROM schema_repeatable ORDER BY name`);
    expect(rows).toEqual(
      expect.arrayContaining(RISK_GUARD_REPEATABLE_SQL.map((f) => ({ name: f.name, checksum: repeatableChecksum(f.sql) }))),
    );
    // The definitions in the database are the files' (scoped keys, the loss bound), with their index plans pinned.
    // One turn function carries reserves and closes; the two it replaced are dropped by its file.
    const defs = await t.sql(`SELECT proname, prosrc, proconfig FROM pg_proc WHERE proname IN ('risk_reserve_batch', 'risk_close_batch', 'risk_ledger_batch') ORDER BY proname`);
    expect(defs.map((d) => d.proname)).toEqual(['risk_ledger_batch']);
    expect(defs[0].prosrc).toContain('loss_exceeds');
    expect(defs[0].prosrc).toContain("ev.engine = k.engine");
    for (const d of defs) expect(d.proconfig).toEqual(['enable_seqscan=off']);
  });

  it('risk_scope_json, which risk_ledger_batch calls, is declared in sql/ too, and applied from its file', async () => {
    const file = RISK_GUARD_REPEATABLE_SQL.find((f) => f.name === 'risk_scope_json');
    expect(file?.sql).toContain('CREATE OR REPLACE FUNCTION risk_scope_json(');
    expect(RISK_GUARD_REPEATABLE_SQL.map((f) => f.name).indexOf('risk_scope_json')).toBeLessThan(RISK_GUARD_REPEATABLE_SQL.map((f) => f.name).indexOf('risk_ledger_batch'));
    expect(await t.sql(`SELECT checksum FROM schema_repeatable WHERE name = 'risk_scope_json'`)).toEqual([{ checksum: repeatableChecksum(file!.sql) }]);
    const [json] = await t.sql(`SELECT risk_scope_json('X', true, 'enforce', NULL, 10.50, 5, NULL, 3, 2.5, 1, 0, 1) AS j`);
    expect(json.j).toEqual({
      engine: 'X',
      enabled: true,
      enforcement_mode: 'enforce',
      disabled_reason: null,
      caps: { max_daily_exposure: '10.5', max_open_risk: '5', max_daily_loss: null, max_actions_per_day: 3 },
      usage: { exposure_used: '2.5', open_risk_reserved: '1', realized_loss: '0', actions_count: 1 },
      headroom: { exposure: '8', open_risk: '4', loss: null, actions: 2 },
    });
  });

  it('applies a file again only when its text changed', async () => {
    expect(await applyRepeatableSql(db, RISK_GUARD_REPEATABLE_SQL)).toEqual([]);
    expect(await applyRepeatableSql(db, [fn(1)])).toEqual(['warden_test_version']);
    expect(await applyRepeatableSql(db, [fn(1)])).toEqual([]);
    expect((await t.sql(`SELECT warden_test_version() AS v`))[0].v).toBe(1);
    expect(await applyRepeatableSql(db, [fn(2)])).toEqual(['warden_test_version']);
    expect((await t.sql(`SELECT warden_test_version() AS v`))[0].v).toBe(2);
  });

  it('a failing file changes nothing: the files before it in the same run are rolled back too', async () => {
    const before = await t.sql(`SELECT name, checksum FROM schema_repeatable ORDER BY name`);
    await expect(applyRepeatableSql(db, [fn(3), { name: 'broken', sql: 'CREATE FUNCTION broken( RETURNS' }])).rejects.toThrow();
    expect((await t.sql(`SELECT warden_test_version() AS v`))[0].v).toBe(2);
    expect(await t.sql(`SELECT name, checksum FROM schema_repeatable ORDER BY name`)).toEqual(before);
  });

  it('instances starting together apply a changed file once (advisory lock)', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => applyRepeatableSql(db, [fn(4)])));
    expect(results.flat()).toEqual(['warden_test_version']);
    expect((await t.sql(`SELECT warden_test_version() AS v`))[0].v).toBe(4);
  });
});
