import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AuditChainService, type VerifyReport } from '#platform';
import { BUILD_TIMEOUT_MS, buildDist } from './support/build.js';
import { evaluate, intent, putPolicy, STANDARD_POLICY } from './support/factories/gate.js';
import { CARDS, PROMOTION } from './support/factories/promotion.js';
import { READY_TIMEOUT_MS, useChildProcesses } from './support/spawn.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Each chained log, its order column, and a text column a forger would rewrite. */
const LOGS = [
  { log: 'audit_log', order: 'id', text: 'principal' },
  { log: 'risk_event', order: 'id', text: 'principal' },
  { log: 'approval_decision', order: 'id', text: 'approver' },
  { log: 'gate_decision', order: 'seq', text: 'principal' },
  { log: 'promotion_decision', order: 'seq', text: 'decided_by' },
  { log: 'state_change_log', order: 'id', text: 'db_user' },
] as const;

/** Values a copied row must change to be insertable beside the original (unique keys). */
const FORGED_FIELDS: Record<string, string> = {
  risk_event: `'correlation_id', 'forged-' || gen_random_uuid()`,
  approval_decision: `'approver_person', 'token:forger-' || gen_random_uuid()`,
  gate_decision: `'id', gen_random_uuid()`,
  promotion_decision: `'id', gen_random_uuid(), 'domain', 'FORGED'`,
};

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const withUrlDb = (url: string, db: string) => Object.assign(new URL(url), { pathname: `/${db}` }).toString();

async function verifyWithService(url: string): Promise<VerifyReport> {
  const ds = new DataSource({ type: 'postgres', url });
  await ds.initialize();
  try {
    return await new AuditChainService(ds).verify();
  } finally {
    await ds.destroy();
  }
}

const chainOf = (report: VerifyReport, log: string) => report.chains.find((c) => c.log === log)!;

interface Block {
  block: string;
  prev_hash: string;
  block_hash: string;
  pos: string[];
  leaf: string[];
}

/** A log's chain as the trigger wrote it, block by block, hashes in hex. */
async function blocksOf(c: pg.Client, log: string): Promise<Block[]> {
  const { rows } = await c.query(
    `SELECT block::text, encode(prev_hash, 'hex') AS prev_hash, encode(block_hash, 'hex') AS block_hash, pos::text[] AS pos,
            array(SELECT encode(x, 'hex') FROM unnest(leaf) WITH ORDINALITY AS u(x, o) ORDER BY o) AS leaf
       FROM audit_chain_block b WHERE log = $1 ORDER BY b.block`,
    [log],
  );
  return rows;
}

const link = (prev: string, leaf: string) => createHash('sha256').update(Buffer.from(prev, 'hex')).update(Buffer.from(leaf, 'hex')).digest('hex');
const linkAll = (prev: string, leaves: string[]) => leaves.reduce(link, prev);

describe('the hash-chained audit record (docs/audit.md)', () => {
  let t: TestApp;
  let populated: string; // the database name, a template for each tampering case
  const spawn = useChildProcesses();

  beforeAll(async () => {
    t = await startTestApp();
    populated = new URL(t.databaseUrl).pathname.slice(1);
    // A few rows in every chain, written by the real app over HTTP.
    const [engine, op1, op2] = await Promise.all([t.token('engine', { identities: ['agent-alice'] }), t.token('operator'), t.token('operator')]);
    for (let i = 0; i < 3; i++) {
      expect((await t.http('POST', '/api/governance/risk/check-and-reserve', { engine: 'WHOLESALE', amount: '1', correlation_id: `chain-${i}` }, { token: engine })).status).toBe(201);
      const filed = await t.http('POST', '/api/governance/approvals', { kind: 'manual', subject: `chain-${i}`, reason: 'chain test', min_approvals: 2 }, { token: engine });
      expect(filed.status).toBe(202);
      expect((await t.http('POST', `/api/governance/approvals/${filed.body.approval_id}/approve`, { reason: 'ok' }, { token: op1 })).status).toBeLessThan(300);
    }
    expect((await putPolicy(t, 'default', STANDARD_POLICY, { token: op1 })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await evaluate(t, { intent: intent('tool.read') }, engine)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await t.http('POST', `${PROMOTION}/evaluate`, { domain: 'CHAIN', scorecard: CARDS.strong }, { token: op2 })).status).toBeLessThan(300);
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
  });

  describe('an intact record', () => {
    it('verifies clean over the API: every chain walked to the head the trigger keeps, every state row traced', async () => {
      const res = await t.http('GET', '/api/governance/audit/verify');
      expect(res.status).toBe(200);
      expect(res.body.intact).toBe(true);
      expect(res.body.chains.map((c: { log: string }) => c.log).sort()).toEqual(LOGS.map((l) => l.log).sort());
      for (const c of res.body.chains) {
        expect(c).toMatchObject({ intact: true, first_break: null, breaks: 0 });
        expect(c.rows_checked).toBeGreaterThanOrEqual(3);
        expect(c.recorded).toEqual({ log: c.log, rows: c.rows_checked, head_hash: c.head_hash });
      }
      expect(res.body.state.map((s: { table: string }) => s.table).sort()).toEqual(['api_token', 'approval_request', 'gate_approval_key', 'go_live_state', 'risk_policy']);
      expect(res.body.state.every((s: { untraced_count: number }) => s.untraced_count === 0)).toBe(true);
    });

    it('gives each chain head for the weekly checkpoint; a viewer may not verify', async () => {
      const heads = (await t.http('GET', '/api/governance/audit/heads')).body.heads;
      const [row] = await t.sql(`SELECT encode(block_hash, 'hex') AS hash, (SELECT count(*)::int FROM audit_log) AS n FROM audit_chain_block WHERE log = 'audit_log' ORDER BY block DESC LIMIT 1`);
      expect(heads.find((h: { log: string }) => h.log === 'audit_log')).toEqual({ log: 'audit_log', rows: row.n, head_hash: row.hash });
      const viewer = await t.token('viewer');
      expect((await t.http('GET', '/api/governance/audit/verify', undefined, { token: viewer })).status).toBe(403);
    });

    it('each block links to the one before it, from the zero hash; every row is chained once, by the hash of its content', async () => {
      await withClient(t.databaseUrl, async (c) => {
        await c.query(`SET "TimeZone" = 'UTC'`);
        for (const { log, order } of LOGS) {
          const blocks = await blocksOf(c, log);
          expect(blocks[0].prev_hash).toBe('0'.repeat(64));
          for (let i = 0; i < blocks.length; i++) {
            if (i > 0) expect(blocks[i].prev_hash).toBe(blocks[i - 1].block_hash);
            expect(linkAll(blocks[i].prev_hash, blocks[i].leaf)).toBe(blocks[i].block_hash);
          }
          const { rows } = await c.query(`SELECT ${order}::text AS pos, encode(sha256(convert_to(jsonb_strip_nulls(to_jsonb(t) - '${order}')::text, 'UTF8')), 'hex') AS leaf FROM ${log} t ORDER BY ${order}`);
          const chained = blocks.flatMap((b) => b.pos.map((pos, i) => ({ pos, leaf: b.leaf[i] })));
          expect([...chained].sort((a, b) => Number(BigInt(a.pos) - BigInt(b.pos)))).toEqual(rows);
        }
      });
    });
  });

  describe('under the application role', () => {
    let appUrl: string;
    const role = `chain_app_${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      // As provisionAppRole grants it: DML on every table, nothing owned.
      await t.sql(`CREATE ROLE ${role} LOGIN PASSWORD 'pw' NOSUPERUSER NOBYPASSRLS`);
      await t.sql(`GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role};
                   GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${role}`);
      const u = new URL(t.databaseUrl);
      u.username = role;
      u.password = 'pw';
      appUrl = u.toString();
    });
    afterAll(async () => {
      await t.sql(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
    });

    const attempt = (text: string) => withClient(appUrl, (c) => c.query(text)).then((r) => ({ ok: true as const, rowCount: r.rowCount }), (err: Error) => ({ ok: false as const, message: err.message }));

    it('cannot disable a chain trigger, rewrite, remove or truncate a chained row', async () => {
      for (const { log, order } of LOGS) {
        for (const text of [`ALTER TABLE ${log} DISABLE TRIGGER zz_${log}_chain`, `ALTER TABLE ${log} DISABLE TRIGGER USER`, `UPDATE ${log} SET ${order} = ${order}`, `DELETE FROM ${log}`, `TRUNCATE ${log}`]) {
          const r = await attempt(text);
          expect({ text, ok: r.ok }).toEqual({ text, ok: false });
        }
      }
    });

    it('cannot move or reset a chain head, nor write the state journal itself', async () => {
      const before = await t.sql(`SELECT * FROM audit_chain_head ORDER BY log`);
      expect(await attempt(`UPDATE audit_chain_head SET head_hash = repeat('0', 64), rows = 0`)).toEqual({ ok: true, rowCount: 0 });
      expect(await attempt(`DELETE FROM audit_chain_head`)).toEqual({ ok: true, rowCount: 0 });
      expect((await attempt(`INSERT INTO audit_chain_head VALUES ('x', 'id', 0, 0, repeat('0', 64))`)).ok).toBe(false);
      const blocks = await t.sql(`SELECT * FROM audit_chain_block ORDER BY log, block`);
      for (const text of [
        `UPDATE audit_chain_block SET block_hash = prev_hash`,
        `DELETE FROM audit_chain_block`,
        `TRUNCATE audit_chain_block`,
        `INSERT INTO audit_chain_block VALUES ('audit_log', 1000000, '\\x00', '\\x00', '{1}', '{"\\\\x00"}')`,
        `ALTER TABLE audit_chain_block DISABLE TRIGGER USER`,
      ]) {
        expect({ text, ok: (await attempt(text)).ok }).toEqual({ text, ok: false });
      }
      expect(await t.sql(`SELECT * FROM audit_chain_block ORDER BY log, block`)).toEqual(blocks);
      expect((await attempt(`INSERT INTO state_change_log (table_name, row_key, op, db_user, after) VALUES ('go_live_state', '1', 'update', 'admin', '{}')`)).ok).toBe(false);
      expect(await t.sql(`SELECT * FROM audit_chain_head ORDER BY log`)).toEqual(before);
      expect((await attempt(`SELECT count(*) FROM audit_chain_head`)).ok).toBe(true);
    });

    it('a forged back-dated audit row is stamped now, given the next id, and chained at the head: it cannot pass for history', async () => {
      const [last] = await t.sql(`SELECT max(id)::text AS id, (SELECT head_hash FROM audit_chain_head WHERE log = 'audit_log') AS head FROM audit_log`);
      const r = await attempt(`INSERT INTO audit_log (id, at, principal, action, subject) VALUES (1, '2020-01-01T00:00:00Z', 'admin', 'go_live.enable', 'go_live')`);
      expect(r).toEqual({ ok: true, rowCount: 1 });
      const [forged] = await t.sql(`SELECT id::text, at FROM audit_log WHERE at > now() - interval '1 hour' AND action = 'go_live.enable' AND principal = 'admin' ORDER BY id DESC LIMIT 1`);
      expect(BigInt(forged.id)).toBeGreaterThan(BigInt(last.id));
      expect(new Date(forged.at).getFullYear()).toBeGreaterThan(2020);
      const [block] = await t.sql(`SELECT pos::text[] AS pos, encode(prev_hash, 'hex') AS prev FROM audit_chain_block WHERE log = 'audit_log' ORDER BY block DESC LIMIT 1`);
      expect(block).toEqual({ pos: [forged.id], prev: last.head });
    });

    it('one statement of many rows is one block; a row ON CONFLICT DO NOTHING skipped is never chained', async () => {
      const [before] = await t.sql(`SELECT rows::int, blocks::int FROM audit_chain_head WHERE log = 'audit_log'`);
      expect(await attempt(`INSERT INTO audit_log (principal, action, subject) SELECT 'admin', 'chain.test', 'n' || i FROM generate_series(1, 3) i`)).toEqual({ ok: true, rowCount: 3 });
      expect((await t.sql(`SELECT rows::int, blocks::int FROM audit_chain_head WHERE log = 'audit_log'`))[0]).toEqual({ rows: before.rows + 3, blocks: before.blocks + 1 });
      // A Friday verdict is written ON CONFLICT (domain, week) DO NOTHING: the skipped second write moves no head.
      const friday = (reason: string) =>
        attempt(`INSERT INTO promotion_decision (decided_at, decided_by, source, domain, week, scorecard, policy, rules_digest, verdict, reason_codes, overrides, trace)
                 VALUES (now(), 'system', 'friday', 'CHAIN_TEST', '2020-01-03', '{}', '{}', 'd', 'no_go', '["${reason}"]', '{}', '[]')
                 ON CONFLICT (domain, week) WHERE week IS NOT NULL DO NOTHING`);
      expect(await friday('first')).toEqual({ ok: true, rowCount: 1 });
      const [head] = await t.sql(`SELECT rows::int, blocks::int, head_hash FROM audit_chain_head WHERE log = 'promotion_decision'`);
      expect(await friday('second')).toEqual({ ok: true, rowCount: 0 });
      expect((await t.sql(`SELECT rows::int, blocks::int, head_hash FROM audit_chain_head WHERE log = 'promotion_decision'`))[0]).toEqual(head);
      expect((await t.http('GET', '/api/governance/audit/verify')).body.intact).toBe(true);
    });

    it('flipping go_live_state directly leaves a journal entry naming the role; verify stays intact', async () => {
      expect(await attempt(`UPDATE go_live_state SET go_live_enabled = NOT go_live_enabled, changed_by = 'nobody'`)).toEqual({ ok: true, rowCount: 1 });
      const [entry] = await t.sql(`SELECT op, db_user, before ->> 'changed_by' AS was, after ->> 'changed_by' AS now FROM state_change_log WHERE table_name = 'go_live_state' ORDER BY id DESC LIMIT 1`);
      expect(entry).toMatchObject({ op: 'update', db_user: role, now: 'nobody' });
      expect((await t.http('GET', '/api/governance/audit/verify')).body.intact).toBe(true);
    });
  });

  describe('a tampered record (as the database owner, triggers off)', () => {
    let base: string;
    const copies: string[] = [];

    beforeAll(async () => {
      await t.close();
      base = t.databaseUrl;
      t = undefined as unknown as TestApp;
    });
    afterAll(async () => {
      await withClient(withUrlDb(base, 'postgres'), async (c) => {
        for (const db of [...copies, populated]) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      });
    });

    /** A fresh copy of the populated database, tampered with by `sql` (a superuser, user triggers off). */
    async function tampered(log: string, sql: string | ((c: pg.Client) => Promise<void>)): Promise<string> {
      const db = `${populated}_${copies.length}`;
      copies.push(db);
      await withClient(withUrlDb(base, 'postgres'), (c) => c.query(`CREATE DATABASE ${db} TEMPLATE ${populated}`));
      const url = withUrlDb(base, db);
      await withClient(url, async (c) => {
        await c.query(`BEGIN; ALTER TABLE ${log} DISABLE TRIGGER USER; ALTER TABLE audit_chain_block DISABLE TRIGGER USER`);
        if (typeof sql === 'string') await c.query(sql);
        else await sql(c);
        await c.query(`ALTER TABLE ${log} ENABLE TRIGGER USER; ALTER TABLE audit_chain_block ENABLE TRIGGER USER; COMMIT`);
      });
      return url;
    }

    /** The order value of the n-th row (0-based) of a log. */
    async function nth(url: string, log: string, order: string, n: number): Promise<string> {
      return withClient(url, async (c) => (await c.query(`SELECT ${order}::text AS pos FROM ${log} ORDER BY ${order} OFFSET ${n} LIMIT 1`)).rows[0].pos);
    }

    for (const { log, order, text } of LOGS) {
      it(`${log}: an altered row is named`, async () => {
        const url = await tampered(log, `UPDATE ${log} SET ${text} = 'forger' WHERE ${order} = (SELECT ${order} FROM ${log} ORDER BY ${order} OFFSET 1 LIMIT 1)`);
        const chain = chainOf(await verifyWithService(url), log);
        expect(chain.intact).toBe(false);
        expect(chain.first_break).toMatchObject({ kind: 'altered', at: await nth(url, log, order, 1) });
      });

      it(`${log}: a deleted row is named`, async () => {
        const gone = await nth(withUrlDb(base, populated), log, order, 1);
        const url = await tampered(log, `DELETE FROM ${log} WHERE ${order} = ${gone}`);
        const report = await verifyWithService(url);
        expect(report.intact).toBe(false);
        expect(chainOf(report, log).first_break).toMatchObject({ kind: 'deleted', at: gone });
      });

      it(`${log}: a row inserted mid-chain, its link hashed onto the first row, is named`, async () => {
        // A forger who knows the algorithm: a copy of the second row, written past the trigger and linked
        // into the chain right after the first row with correct hashes; re-hashing stops at the next block.
        const forged = FORGED_FIELDS[log] ? `|| jsonb_build_object(${FORGED_FIELDS[log]})` : '';
        let pos = '';
        const url = await tampered(log, async (c) => {
          await c.query(`SET LOCAL "TimeZone" = 'UTC'`);
          const blocks = await blocksOf(c, log);
          const links = blocks.flatMap((b, bi) => b.pos.map((p, i) => ({ bi, i, pos: p })));
          const { rows } = await c.query(
            `WITH second AS (SELECT * FROM ${log} WHERE ${order} = $1),
                  copy AS (SELECT jsonb_populate_record(NULL::${log}, to_jsonb(s) || jsonb_build_object('${order}', (SELECT max(${order}) + 1000 FROM ${log}), '${text}', 'forger') ${forged}) AS r FROM second s),
                  ins AS (INSERT INTO ${log} SELECT (r).* FROM copy RETURNING *)
             SELECT ${order}::text AS pos, encode(sha256(convert_to(jsonb_strip_nulls(to_jsonb(ins) - '${order}')::text, 'UTF8')), 'hex') AS leaf FROM ins`,
            [links[1].pos],
          );
          pos = rows[0].pos;
          // Split the first row's block after it: [.. first] [forged] [rest, still ending at the block's old hash].
          const { bi, i } = links[0];
          const b = blocks[bi];
          const head = { ...b, pos: b.pos.slice(0, i + 1), leaf: b.leaf.slice(0, i + 1), block_hash: linkAll(b.prev_hash, b.leaf.slice(0, i + 1)) };
          const mid = { block: '', prev_hash: head.block_hash, block_hash: link(head.block_hash, rows[0].leaf), pos: [pos], leaf: [rows[0].leaf] };
          const rest = b.pos.length > i + 1 ? [{ ...b, prev_hash: mid.block_hash, pos: b.pos.slice(i + 1), leaf: b.leaf.slice(i + 1) }] : [];
          const next = [...blocks.slice(0, bi), head, mid, ...rest, ...blocks.slice(bi + 1)];
          await c.query(`DELETE FROM audit_chain_block WHERE log = $1`, [log]);
          for (const [n, x] of next.entries()) {
            await c.query(`INSERT INTO audit_chain_block VALUES ($1, $2, decode($3, 'hex'), decode($4, 'hex'), $5::bigint[], (SELECT array_agg(decode(h, 'hex')) FROM unnest($6::text[]) h))`, [
              log, n + 1, x.prev_hash, x.block_hash, x.pos, x.leaf,
            ]);
          }
        });
        const chain = chainOf(await verifyWithService(url), log);
        expect(chain.first_break).toMatchObject({ kind: 'inserted', at: pos });
        expect(chain.rows_checked).toBe(chain.recorded!.rows + 1);
      });

      it(`${log}: a row written past the trigger is named`, async () => {
        const forged = FORGED_FIELDS[log] ? `|| jsonb_build_object(${FORGED_FIELDS[log]})` : '';
        const url = await tampered(
          log,
          `INSERT INTO ${log} SELECT (jsonb_populate_record(NULL::${log}, to_jsonb(s) || jsonb_build_object('${order}', s.${order} + 100000, '${text}', 'forger') ${forged})).*
             FROM ${log} s ORDER BY ${order} OFFSET 1 LIMIT 1`,
        );
        const chain = chainOf(await verifyWithService(url), log);
        expect(chain.first_break).toMatchObject({ kind: 'inserted', at: String(BigInt(await nth(withUrlDb(base, populated), log, order, 1)) + 100000n) });
        expect(chain.rows_checked).toBe(chain.recorded!.rows);
      });
    }

    it('a row inserted with a fake hash, rows swapped, and the last row removed are each named', async () => {
      const fake = await tampered(
        'audit_log',
        `INSERT INTO audit_log (id, at, principal, action, subject)
         SELECT id - 1, at, 'forger', 'go_live.enable', 'go_live' FROM audit_log ORDER BY id OFFSET 1 LIMIT 1`,
      );
      expect(chainOf(await verifyWithService(fake), 'audit_log').first_break).toMatchObject({ kind: 'inserted', at: await nth(fake, 'audit_log', 'id', 1) });

      const swapped = await tampered(
        'audit_log',
        `WITH two AS (SELECT id FROM audit_log ORDER BY id OFFSET 1 LIMIT 2), ids AS (SELECT min(id) AS a, max(id) AS b FROM two)
         UPDATE audit_log l SET id = CASE WHEN l.id = ids.a THEN -ids.b ELSE -ids.a END FROM ids WHERE l.id IN (ids.a, ids.b);
         UPDATE audit_log SET id = -id WHERE id < 0`,
      );
      expect(chainOf(await verifyWithService(swapped), 'audit_log').first_break).toMatchObject({ kind: 'reordered', at: await nth(swapped, 'audit_log', 'id', 1) });

      const lastId = (await withClient(withUrlDb(base, populated), (c) => c.query(`SELECT max(id)::text AS id FROM risk_event`))).rows[0].id;
      const tail = await tampered('risk_event', `DELETE FROM risk_event WHERE id = ${lastId}`);
      expect(chainOf(await verifyWithService(tail), 'risk_event').first_break).toMatchObject({ kind: 'deleted', at: lastId });
      // The last row and its block gone, the head left: rows after the chain's end are missing.
      const cut = await tampered('risk_event', `DELETE FROM risk_event WHERE id = ${lastId}; DELETE FROM audit_chain_block WHERE log = 'risk_event' AND block = (SELECT max(block) FROM audit_chain_block WHERE log = 'risk_event')`);
      expect(chainOf(await verifyWithService(cut), 'risk_event').first_break).toMatchObject({ kind: 'deleted', at: null });
    });

    it('an owner who rewrites a whole chain, head included, passes verify alone but not against the published checkpoint', async () => {
      const checkpoint = await withClient(withUrlDb(base, populated), async (c) => (await c.query(`SELECT log, rows::int AS rows, head_hash FROM audit_chain_head`)).rows);
      const url = await tampered(
        'audit_log',
        `SET LOCAL "TimeZone" = 'UTC';
         UPDATE audit_log SET principal = 'forger' WHERE id = (SELECT id FROM audit_log ORDER BY id OFFSET 1 LIMIT 1);
         DO $$ DECLARE r record; h bytea := decode(repeat('0', 64), 'hex'); p bytea; l bytea[]; x bytea; BEGIN
           FOR r IN SELECT block, pos FROM audit_chain_block WHERE log = 'audit_log' ORDER BY block LOOP
             SELECT array_agg(sha256(convert_to(jsonb_strip_nulls(to_jsonb(t) - 'id')::text, 'UTF8')) ORDER BY u.o) INTO l
               FROM unnest(r.pos) WITH ORDINALITY AS u(pos, o) JOIN audit_log t ON t.id = u.pos;
             p := h;
             FOREACH x IN ARRAY l LOOP h := sha256(h || x); END LOOP;
             UPDATE audit_chain_block SET prev_hash = p, block_hash = h, leaf = l WHERE log = 'audit_log' AND block = r.block;
           END LOOP;
           UPDATE audit_chain_head SET head_hash = encode(h, 'hex') WHERE log = 'audit_log';
         END $$`,
      );
      expect(chainOf(await verifyWithService(url), 'audit_log').intact).toBe(true); // what a chain alone cannot prove
      const ds = new DataSource({ type: 'postgres', url });
      await ds.initialize();
      try {
        const report = await new AuditChainService(ds).verify(checkpoint);
        expect(chainOf(report, 'audit_log').first_break).toMatchObject({ kind: 'checkpoint_mismatch' });
        expect(report.chains.filter((c) => !c.intact).map((c) => c.log)).toEqual(['audit_log']);
      } finally {
        await ds.destroy();
      }
    });

    it('a state row changed with its journal trigger off is reported as changed without a trace', async () => {
      const url = await tampered('go_live_state', `UPDATE go_live_state SET go_live_enabled = NOT go_live_enabled`);
      const report = await verifyWithService(url);
      expect(report.intact).toBe(false);
      expect(report.chains.every((c) => c.intact)).toBe(true);
      expect(report.state.find((s) => s.table === 'go_live_state')).toMatchObject({ untraced_count: 1, untraced: [{ table: 'go_live_state', key: '1', kind: 'changed_without_trace' }] });
    });

    it('warden audit verify (the real CLI): exit 0 and "intact" on the untouched record, exit 3 naming the first broken link on a tampered one', async () => {
      buildDist();
      const { NODE_OPTIONS: _jest, ...env } = process.env;
      const run = async (url: string, json: boolean) => {
        const child = spawn(process.execPath, ['bin/warden.mjs', 'audit', 'verify', '--database-url', url, ...(json ? ['--json'] : [])], {
          env: { ...env, DATABASE_URL: 'postgres://nobody:wrong@127.0.0.1:1/none', LOG_LEVEL: 'silent' },
        });
        const { code } = await child.closed;
        return { code, stdout: child.stdout(), output: child.output() };
      };
      const clean = await run(withUrlDb(base, populated), false);
      expect({ code: clean.code, output: clean.output }).toEqual({ code: 0, output: expect.stringContaining('audit record intact') });
      const url = await tampered('gate_decision', `UPDATE gate_decision SET verdict = 'allow', principal = 'forger' WHERE seq = (SELECT max(seq) FROM gate_decision)`);
      const broken = await run(url, true);
      expect(broken.code).toBe(3);
      const report = JSON.parse(broken.stdout) as VerifyReport;
      expect(report.intact).toBe(false);
      expect(chainOf(report, 'gate_decision').first_break).toMatchObject({ kind: 'altered', at: await nth(url, 'gate_decision', 'seq', 2) });
      expect(chainOf(report, 'audit_log').intact).toBe(true);
    }, BUILD_TIMEOUT_MS + READY_TIMEOUT_MS);
  });
});
