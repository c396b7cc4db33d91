import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gateEvalOffline } from '../apps/cli/src/commands/gate-commands.js';
import { policyTest, policyValidate } from '../apps/cli/src/commands/policy-commands.js';
import { POLICY_LIMITS } from '#gate';
import { G, putPolicy, uniqueName } from './support/factories/gate.js';
import { billionLaughs, HOSTILE_POLICIES, largestAcceptedPolicy } from './support/factories/gate-policies.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 17, D: a policy file an operator uploads must not freeze Warden. Before the limits an
 * alias bomb answered 500, a file of nested brackets held the event loop for seconds and one of
 * `- - -` ran the process out of memory. Now each is 400 invalid_policy naming the limit, nothing
 * is stored, and /health keeps answering while they are uploaded.
 */
describe('gate: policy uploads are read within documented limits', () => {
  let t: TestApp;
  let op: string;

  beforeAll(async () => {
    t = await startTestApp();
    op = await t.token('operator');
  });
  afterAll(async () => t?.close());

  const versions = async () => (await t.sql(`SELECT count(*)::int AS n FROM gate_policy_version`))[0].n as number;
  const health = async () => {
    const started = performance.now();
    const res = await t.http('GET', '/health', undefined, { token: null });
    return { status: res.status, ms: performance.now() - started };
  };
  const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

  it('an alias bomb is 400 invalid_policy (it was a 500), quickly, as YAML and as the JSON form; nothing is stored', async () => {
    const before = await versions();
    const name = uniqueName('bomb');
    const started = performance.now();
    const yaml = await putPolicy(t, name, billionLaughs(), { token: op });
    const ms = performance.now() - started;
    expect([yaml.status, yaml.body.error]).toEqual([400, 'invalid_policy']);
    expect(yaml.body.details).toMatchObject({ limit: 'max_aliases', max: POLICY_LIMITS.max_aliases });
    expect(yaml.body.message).toContain('max_aliases');
    expect(ms).toBeLessThan(2000); // measured: a few ms of CPU; 2 s allows for a loaded 2-core machine
    const json = await t.http('PUT', `${G}/policies/${name}`, { yaml: billionLaughs() }, { token: op });
    expect([json.status, json.body.error, json.body.details.limit]).toEqual([400, 'invalid_policy', 'max_aliases']);
    expect(await versions()).toBe(before);
    expect((await t.http('GET', `${G}/policies/${name}`, undefined, { token: op })).status).toBe(404);
  });

  it.each(HOSTILE_POLICIES.map((h) => [h.what, h.limit, h.yaml] as const))('%s is 400 invalid_policy naming %s', async (_what, limit, yaml) => {
    const before = await versions();
    const res = await putPolicy(t, uniqueName('lim'), yaml(), { token: op });
    expect([res.status, res.body.error]).toEqual([400, 'invalid_policy']);
    expect(res.body.details).toMatchObject({ limit, max: POLICY_LIMITS[limit] });
    expect(res.body.message).toContain(limit);
    expect(await versions()).toBe(before);
  });

  it('/health answers 200 within a second while bad policies are uploaded 20 at a time', async () => {
    const stop = { done: false };
    const polls: Array<{ status: number; ms: number }> = [];
    const poller = (async () => {
      while (!stop.done) {
        polls.push(await health());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const uploads: number[] = [];
    try {
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) => {
            const hostile = HOSTILE_POLICIES[i % HOSTILE_POLICIES.length];
            // max_rules is refused only after a full parse: the cost of the worst accepted file, asserted below on its own.
            const yaml = hostile.limit === 'max_rules' ? billionLaughs() : hostile.yaml();
            return putPolicy(t, uniqueName('loop'), yaml, { token: op });
          }),
        );
        uploads.push(...answers.map((a) => a.status));
      }
    } finally {
      stop.done = true;
      await poller;
    }
    expect(uploads.every((s) => s === 400)).toBe(true);
    const ms = polls.map((p) => p.ms);
    process.stdout.write(`/health during ${uploads.length} bad uploads: ${polls.length} polls, p50 ${percentile(ms, 0.5).toFixed(0)} ms, p99 ${percentile(ms, 0.99).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms\n`);
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((p) => p.status === 200)).toBe(true);
    expect(Math.max(...ms)).toBeLessThan(1000);
  });

  it('the largest accepted policy, uploaded in a loop: stored, and /health keeps answering (measured and printed)', async () => {
    const yaml = largestAcceptedPolicy();
    const stop = { done: false };
    const polls: number[] = [];
    const poller = (async () => {
      while (!stop.done) {
        const h = await health();
        expect(h.status).toBe(200);
        polls.push(h.ms);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const started = performance.now();
    try {
      for (let i = 0; i < 5; i++) {
        const res = await putPolicy(t, uniqueName('big'), yaml, { token: op });
        expect(res.status).toBe(200);
        expect(res.body.rule_count).toBeGreaterThan(1000);
      }
    } finally {
      stop.done = true;
      await poller;
    }
    const each = (performance.now() - started) / 5;
    process.stdout.write(`/health while the largest accepted policy (${yaml.length} bytes) is uploaded 5 times (${each.toFixed(0)} ms each): p50 ${percentile(polls, 0.5).toFixed(0)} ms, p99 ${percentile(polls, 0.99).toFixed(0)} ms, max ${Math.max(...polls).toFixed(0)} ms\n`);
    // One upload holds the event loop for one parse (~0.2 s of CPU, measured in policy-yaml.spec.ts); measured here at
    // load 15 on 2 cores: max 0.9 s. The bound allows for that machine; the number to watch is the one printed.
    expect(Math.max(...polls)).toBeLessThan(3000);
  });

  it('the offline CLI shares the bounded parse: policy validate, policy test and gate eval exit 6 (invalid input), not a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-limits-'));
    try {
      const bomb = join(dir, 'bomb.yaml');
      writeFileSync(bomb, billionLaughs());
      const intent = 'examples/policy/intents/intent_read.json';
      for (const result of [policyValidate(bomb, { json: true }), policyTest(bomb, intent, { json: true }), gateEvalOffline({ policy: bomb, intent, json: true })]) {
        expect(result.exitCode).toBe(6);
        expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: expect.stringContaining('max_aliases') });
      }
      const deep = join(dir, 'deep.yaml');
      writeFileSync(deep, HOSTILE_POLICIES.find((h) => h.what.startsWith('"- - -'))!.yaml());
      expect(policyValidate(deep, { json: true }).exitCode).toBe(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
