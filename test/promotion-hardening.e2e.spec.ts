import { monitorEventLoopDelay } from 'node:perf_hooks';
import { JobRunner, ManualClock } from '#platform';
import { PROMOTION_FRIDAY_JOB } from '#promotion/server';
import { HEIMDALL, HeimdallFactory } from './support/factories/heimdall.js';
import { CARDS, OVERRIDE_KEY, PROMOTION, PromotionFactory, signedOverride } from './support/factories/promotion.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Each test is an attack that used to work: a ReDoS rule, a YAML bomb, a rule file that crashed the
// process, an override signed for one domain used on another, a ratio stored as a different value,
// a 5,000-character request id echoed back. Each must now be refused, and change nothing.

/** 2031-03-14 is a Friday. */
const FRIDAY = '2031-03-14T08:00:00Z';
const REDOS_RULE = `- decision: no_go\n  cel: 'security_status.matches("^(a+)+$")'\n  reason_code: redos\n`;

function billionLaughs(): string {
  let bomb = '- &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 0; i < 9; i += 1) bomb += `- &${'bcdefghij'[i]} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]\n`;
  return bomb;
}

let t: TestApp;
let f: PromotionFactory;
let h: HeimdallFactory;

beforeAll(async () => {
  t = await startTestApp({ env: { WARDEN_OVERRIDE_KEY: OVERRIDE_KEY }, clock: new ManualClock('2031-03-10T10:00:00Z') });
  f = await PromotionFactory.create(t);
  h = await HeimdallFactory.create(t);
});
afterAll(() => t?.close());

const ruleState = async () => ({
  rules: (await t.http('GET', `${PROMOTION}/rules`, undefined, { token: f.tokens.viewer })).body,
  puts: (await f.audits('promotion.rules.put')).length,
});

describe('promotion rule files cannot freeze Warden', () => {
  it('a cel: rule with matches() (ReDoS) is refused at upload, naming the rule, and nothing is stored', async () => {
    const before = await ruleState();
    const started = Date.now();
    const res = await f.putRules({ source: `- decision: promote\n  condition: "True"\n  reason_code: ok\n${REDOS_RULE}`, reason: 'redos' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('rule_compile_error');
    expect(res.body.message).toMatch(/^rule 2 \(redos\) does not compile: it uses the method or macro \.matches\(\)/);
    expect(res.body.details).toMatchObject({ rule: 'rule 2 (redos)' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await ruleState()).toEqual(before);
    // The same rule given inline with an evaluation is refused too, and logs no decision.
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM promotion_decision`);
    const inline = await f.evaluate({ scorecard: { ...CARDS.strong, security_status: 'a'.repeat(30) + '!' }, rules: REDOS_RULE });
    expect(inline.status).toBe(400);
    expect(await t.sql(`SELECT count(*)::int AS n FROM promotion_decision`)).toEqual([{ n }]);
  });

  it('macros are refused the same way', async () => {
    const res = await f.putRules({ rules: [{ decision: 'no_go', cel: '[1.0, 2.0, 3.0].exists(x, [x, x].all(y, y > raroi))', reason_code: 'macro' }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'rule_compile_error', details: { rule: 'rule 1 (macro)' } });
  });

  it('a billion-laughs YAML answers 400 invalid_rule_file quickly, not 500', async () => {
    const before = await ruleState();
    const started = Date.now();
    const res = await f.putRules({ source: billionLaughs() });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_rule_file');
    expect(res.body.message).toMatch(/Excessive alias count/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await ruleState()).toEqual(before);
  });

  it('a 40 KB nest of [ (it ran the process out of memory) is 400, and Warden keeps answering', async () => {
    const res = await f.putRules({ source: '['.repeat(20000) + ']'.repeat(20000) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_rule_file' });
    expect(res.body.message).toMatch(/nests \[ or \{ more than 16 deep/);
    expect((await t.http('GET', '/health', undefined, { token: null })).status).toBe(200);
  });

  it('/health keeps answering within 1 s while bad and worst-accepted rule files are uploaded in a loop', async () => {
    const cond = Array.from({ length: 60 }, (_, i) => `raroi > ${i}`).join(' and ').slice(0, 495).replace(/ and [^d]*$/, '');
    const worstAccepted = Array.from({ length: 100 }, () => `- decision: no_go\n  condition: "${cond}"\n`).join('');
    const files = [REDOS_RULE, billionLaughs(), '['.repeat(20000), worstAccepted, 'x: '.repeat(20000)];
    let stop = false;
    const statuses: number[] = [];
    const uploader = async (offset: number) => {
      for (let i = offset; !stop; i += 1) statuses.push((await f.putRules({ source: files[i % files.length], reason: 'load' })).status);
    };
    // The app runs in this process: a parse that froze it would stall this event loop too. The loop's
    // longest stall is the property (wall-clock /health latency on a loaded 2-core machine is printed, not asserted).
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    const uploaders = [uploader(0), uploader(2)];
    const latencies: number[] = [];
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      const started = Date.now();
      const health = await t.http('GET', '/health', undefined, { token: null });
      latencies.push(Date.now() - started);
      expect(health.status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
    }
    stop = true;
    await Promise.all(uploaders);
    expect(statuses.length).toBeGreaterThan(files.length);
    expect(new Set(statuses)).toEqual(new Set([200, 400]));
    stalls.disable();
    process.stdout.write(`longest event-loop stall: ${(stalls.max / 1e6).toFixed(0)} ms\n`);
    expect(stalls.max / 1e6).toBeLessThan(1000);
  }, 30_000);

  it('a ReDoS rule stored before these limits is a rule error in the Friday review, never run', async () => {
    const domain = await h.policy({ min_confidence: 0.8, min_trials: 1, min_success_rate: 0.75, prod_use_enabled: false }, 'REDOS');
    await h.trials(domain, 4, 4, 0.9);
    // As a file accepted by an older Warden: straight into the table, as the upload once did.
    await t.sql(
      `INSERT INTO promotion_rule_file (source, digest, rule_count, created_by, created_at, reason) VALUES ($1, 'old', 1, 'operator', now(), 'stored before the limits')`,
      [REDOS_RULE],
    );
    t.clock.set(FRIDAY);
    const started = Date.now();
    const outcomes = await t.app.get(JobRunner).runJob(PROMOTION_FRIDAY_JOB);
    expect(outcomes.map((o) => o.status)).toEqual(['succeeded']);
    expect(Date.now() - started).toBeLessThan(10_000);
    // This Friday's decision: the start-up catch-up of the Friday before may have reviewed the domain too, on its own schedule.
    const [decision] = await t.sql(`SELECT verdict, reason_codes, trace FROM promotion_decision WHERE domain = $1 AND source = 'friday' AND week = $2::date`, [domain, FRIDAY.slice(0, 10)]);
    const redos = (decision.trace as Array<Record<string, unknown>>).find((e) => e.reason_code === 'redos');
    expect(redos).toMatchObject({ result: 'error', error: expect.stringMatching(/rule refused: it uses the method or macro \.matches\(\)/) });
    // The errored rule cannot let a promote through.
    expect(decision.verdict).toBe('no_go');
    expect((await t.http('GET', '/health', undefined, { token: null })).status).toBe(200);
  }, 30_000);
});

describe('an override signed for one domain does not work on another', () => {
  it('is refused (403, audited, not spent) on another domain and on none, and works on its own', async () => {
    const override = signedOverride({ verdict: 'promote', domain: 'PROMO_SIGNED', reason: 'break-glass for one domain' });
    const usesBefore = await t.sql(`SELECT count(*)::int AS n FROM promotion_override_use`);
    const other = await f.evaluate({ domain: 'PROMO_OTHER', scorecard: CARDS.weak, override });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: 'override_invalid', details: { reason: 'override_domain_mismatch', signed_domain: 'PROMO_SIGNED', domain: 'PROMO_OTHER' } });
    const none = await f.evaluate({ scorecard: CARDS.weak, override });
    expect(none.status).toBe(403);
    expect(none.body.details.reason).toBe('override_domain_mismatch');
    expect(await t.sql(`SELECT count(*)::int AS n FROM promotion_override_use`)).toEqual(usesBefore);
    expect(await t.sql(`SELECT 1 FROM promotion_decision WHERE domain = 'PROMO_OTHER'`)).toEqual([]);
    const refusals = (await f.audits('promotion.override.refused')).filter((a) => a.details.reason === 'override_domain_mismatch');
    expect(refusals.map((a) => a.details.domain)).toEqual(['PROMO_OTHER', null]);

    const own = await f.evaluate({ domain: 'PROMO_SIGNED', scorecard: CARDS.weak, override });
    expect(own.status).toBe(200);
    expect(own.body.verdict).toBe('promote');
  });
});

describe('ratios that cannot be stored exactly', () => {
  it('confidence: 1e-308 is 400 validation_failed, not stored as 0', async () => {
    const domain = await h.policy();
    for (const confidence of [1e-308, 1e-31, 5e-324]) {
      const res = await h.trial(domain, true, confidence);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
      expect(JSON.stringify(res.body)).toMatch(/confidence/);
    }
    const rec = await h.recommend(domain, 1e-308);
    expect(rec.status).toBe(400);
    expect(await t.sql(`SELECT 1 FROM heimdall_trial WHERE domain = $1`, [domain])).toEqual([]);
    // What can be stored exactly still is: the smallest step, and an ordinary value.
    expect((await h.trial(domain, true, 1e-30)).status).toBe(201);
    expect((await h.trial(domain, true, '0.000000000000000000000000000001')).status).toBe(201);
    const stored = await t.sql(`SELECT confidence::text AS c FROM heimdall_trial WHERE domain = $1 ORDER BY c`, [domain]);
    expect(stored.map((r) => r.c)).toEqual(['0.000000000000000000000000000001', '0.000000000000000000000000000001']);
    expect((await t.http('GET', `${HEIMDALL}/policies`, undefined, { token: h.tokens.viewer })).status).toBe(200);
  });
});

describe('x-request-id', () => {
  it('a 5,000-character id is not echoed back: a fresh one is used', async () => {
    const long = 'a'.repeat(5000);
    const res = await fetch(`${t.url}/health`, { headers: { 'x-request-id': long } });
    const id = res.headers.get('x-request-id');
    expect(id).not.toBe(long);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    for (const bad of ['has space', 'tab\there', '<script>', 'é', 'a'.repeat(129)]) {
      const r = await fetch(`${t.url}/health`, { headers: { 'x-request-id': bad } }).catch(() => null);
      if (r) expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('a plain id up to 128 characters is kept, so a caller can still correlate', async () => {
    for (const good of ['req-123', 'trace.abc:42_x', 'a'.repeat(128)]) {
      const res = await fetch(`${t.url}/health`, { headers: { 'x-request-id': good } });
      expect(res.headers.get('x-request-id')).toBe(good);
    }
  });
});
