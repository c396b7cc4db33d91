import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestApp, type TestApp } from './support/test-app.js';
import { activePolicy, evaluate, G, intent, uniqueIdentity } from './support/factories/gate.js';

const D = `${G}/decisions`;

describe('gate decision log: GET /gate/decisions and /gate/decisions/{id} (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let viewer: string;
  let policy: string;
  const alice = uniqueIdentity('alice');
  const bob = uniqueIdentity('bob');
  const engine = `E_${randomBytes(3).toString('hex').toUpperCase()}`;
  /** decision ids in the order they were made */
  const made: Array<{ id: string; verdict: string; identity: string; at: number }> = [];
  let midpoint: Date;

  beforeAll(async () => {
    t = await startTestApp();
    viewer = await t.token('viewer');
    policy = (await activePolicy(t)).name;
    const engineToken = await t.token('engine', { identities: [alice, bob] });
    const run = async (tool: string, identity: string, extra: Record<string, unknown> = {}) => {
      const res = await evaluate(t, { intent: intent(tool, identity), policy, ...extra }, engineToken);
      if (![200, 202, 403].includes(res.status) || res.body.error === 'identity_not_bound') throw new Error(`evaluate: ${res.status} ${JSON.stringify(res.body)}`);
      made.push({ id: res.body.decision_id, verdict: res.body.verdict, identity, at: t.clock.now().getTime() });
      t.clock.advance(1000);
    };
    await run('tool.read', alice);
    await run('tool.delete', bob);
    await run('tool.write', alice);
    midpoint = t.clock.now();
    await run('tool.delete', alice);
    // an engine with no risk policy: whatever the risk guard answers, the row names the engine
    await run('tool.read', bob, { engine, amount: '1.00' });
  });
  afterAll(async () => t?.close());

  const list = async (query = '') => {
    const res = await t.http('GET', `${D}?policy=${policy}${query}`, undefined, { token: viewer });
    expect(res.status).toBe(200);
    return res.body as { items: Array<Record<string, any>>; next_cursor: string | null };
  };

  it('lists every decision of the policy newest first, each with its trace and reasons', async () => {
    const page = await list();
    expect(page.items.map((d) => d.id)).toEqual(made.map((m) => m.id).reverse());
    expect(page.next_cursor).toBeNull();
    const blocked = page.items.find((d) => d.id === made[1].id)!;
    expect(blocked).toMatchObject({ verdict: 'block', identity: bob, policy, simulate: false, reason_codes: expect.arrayContaining(['delete_forbidden']) });
    expect(blocked.trace.length).toBeGreaterThan(0);
    expect(blocked.trace.some((s: { step: string; verdict: string }) => s.step === 'policy' && s.verdict === 'block')).toBe(true);
    const held = page.items.find((d) => d.id === made[2].id)!;
    expect(held).toMatchObject({ verdict: 'require_approval', approval_use: 'requested' });
    expect(held.approval_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('filters by verdict, identity, engine, reason code, and combines them', async () => {
    const newestFirst = [...made].reverse();
    expect(made.slice(0, 4).map((m) => m.verdict)).toEqual(['allow', 'block', 'require_approval', 'block']);
    for (const verdict of ['allow', 'block', 'require_approval']) {
      expect((await list(`&verdict=${verdict}`)).items.map((d) => d.id)).toEqual(newestFirst.filter((m) => m.verdict === verdict).map((m) => m.id));
    }
    expect((await list(`&identity=${alice}`)).items.map((d) => d.id)).toEqual([made[3].id, made[2].id, made[0].id]);
    expect((await list(`&identity=${alice}&verdict=block`)).items.map((d) => d.id)).toEqual([made[3].id]);
    expect((await list(`&engine=${engine}`)).items.map((d) => d.id)).toEqual([made[4].id]);
    expect((await list('&reason_code=delete_forbidden')).items.map((d) => d.id)).toEqual([made[3].id, made[1].id]);
    expect((await list('&reason_code=approval_required_for_write')).items.map((d) => d.id)).toEqual([made[2].id]);
    expect((await list('&reason_code=no_such_code')).items).toEqual([]);
    // another policy's decisions are not this one's
    const other = await t.http('GET', `${D}?policy=no-such-policy`, undefined, { token: viewer });
    expect(other.body.items).toEqual([]);
  });

  it('filters by time: [since, until)', async () => {
    const since = await list(`&since=${midpoint.toISOString()}`);
    expect(since.items.map((d) => d.id)).toEqual([made[4].id, made[3].id]);
    const until = await list(`&until=${midpoint.toISOString()}`);
    expect(until.items.map((d) => d.id)).toEqual([made[2].id, made[1].id, made[0].id]);
  });

  it('pages with ?before=next_cursor: no row twice, none lost, the last page links nowhere', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`&limit=2${cursor ? `&before=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(made.map((m) => m.id).reverse());
    // paging under a filter
    const first = await list(`&identity=${alice}&verdict=block&limit=1`);
    expect(first.items.map((d) => d.id)).toEqual([made[3].id]);
    expect(first.next_cursor).toBeNull();
    const one = await list(`&identity=${bob}&limit=1`);
    expect(one.items.map((d) => d.id)).toEqual([made[4].id]);
    const two = await list(`&identity=${bob}&limit=1&before=${one.next_cursor}`);
    expect([two.items.map((d) => d.id), two.next_cursor]).toEqual([[made[1].id], null]);
  });

  it('GET /decisions/{id} returns one with its trace; an unknown id is 404, a bad one 400', async () => {
    const one = await t.http('GET', `${D}/${made[1].id}`, undefined, { token: viewer });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: made[1].id, verdict: 'block', identity: bob, policy });
    expect(one.body.trace.length).toBeGreaterThan(0);
    const unknown = await t.http('GET', `${D}/00000000-0000-4000-8000-000000000000`, undefined, { token: viewer });
    expect([unknown.status, unknown.body.error]).toEqual([404, 'decision_not_found']);
    expect((await t.http('GET', `${D}/nope`, undefined, { token: viewer })).status).toBe(400);
  });

  it('refuses bad filters with 400 and needs a token', async () => {
    for (const q of ['verdict=maybe', 'limit=0', 'limit=1e3', 'before=abc', 'since=yesterday', 'engine=bad-engine!', 'reason_code=Bad Code', 'policy=UPPER']) {
      const res = await t.http('GET', `${D}?${q}`, undefined, { token: viewer });
      expect([q, res.status, res.body.error]).toEqual([q, 400, 'validation_failed']);
    }
    expect((await t.http('GET', D, undefined, { token: null })).status).toBe(401);
  });

  it('the filters use their indexes (EXPLAIN on the real table)', async () => {
    await t.sql('ANALYZE gate_decision');
    // With a handful of rows the planner may prefer a scan: switch the alternatives off (in the same
    // session, one connection) to show each index exists and serves its filter.
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    const plan = async (where: string, off: string[] = ['enable_seqscan']) => {
      await client.query('RESET ALL');
      for (const o of off) await client.query(`SET ${o} = off`);
      return JSON.stringify((await client.query(`EXPLAIN (FORMAT JSON) SELECT id FROM gate_decision WHERE ${where} ORDER BY seq DESC LIMIT 101`)).rows);
    };
    try {
    expect(await plan(`verdict = 'block'`)).toContain('ix_gate_decision_verdict_seq');
    expect(await plan(`identity = '${alice}'`)).toContain('ix_gate_decision_identity_seq');
    expect(await plan(`engine = '${engine}'`)).toContain('ix_gate_decision_engine_seq');
    expect(await plan(`policy_name = '${policy}'`)).toContain('ix_gate_decision_policy_seq');
    // GIN serves only bitmap scans: without plain index scans the planner must use it (or scan)
    expect(await plan(`reason_codes @> ARRAY['delete_forbidden']`, ['enable_seqscan', 'enable_indexscan'])).toContain('ix_gate_decision_reason_codes');
    } finally {
      await client.end();
    }
  });
});
