import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promotionEvaluate, type PromotionEvaluateOptions } from './promotion-commands.js';
import { MENACE_FILES, materialize } from '../../../../test/support/parity-vectors.js';

const EX = join(process.cwd(), 'examples/promotion');
const ex = (name: string) => join(EX, name);
const run = async (opts: Omit<PromotionEvaluateOptions, 'json'>) => {
  const out = await promotionEvaluate({ ...opts, json: true });
  return { exitCode: out.exitCode, body: JSON.parse(out.stdout) as Record<string, unknown> };
};

describe('warden promotion evaluate (offline, examples/promotion)', () => {
  it('promote: exit 0', async () => {
    const { exitCode, body } = await run({ scorecard: ex('scorecard-strong.json'), policy: ex('policy.yaml'), rules: ex('rules.yaml') });
    expect(exitCode).toBe(0);
    expect(body).toMatchObject({ verdict: 'promote', reason_codes: [], overrides: {} });
  });

  it('demote (security veto): exit 3', async () => {
    const { exitCode, body } = await run({ scorecard: ex('scorecard-security-fail.json'), policy: ex('policy.yaml'), rules: ex('rules.yaml') });
    expect([exitCode, body.verdict, body.reason_codes]).toEqual([3, 'demote', ['security_veto']]);
  });

  it('no_go: exit 3; pilot from a rule: exit 4', async () => {
    const noGo = await run({ scorecard: ex('scorecard-weak.json'), policy: ex('policy.yaml') });
    expect([noGo.exitCode, noGo.body.verdict, noGo.body.reason_codes]).toEqual([3, 'no_go', ['raroi_below_threshold']]);
    const pilot = await run({ scorecard: ex('scorecard-weak.json'), policy: ex('policy.yaml'), rules: ex('rules.yaml') });
    expect([pilot.exitCode, pilot.body.verdict, pilot.body.reason_codes]).toEqual([4, 'pilot', ['near_miss_pilot']]);
  });

  it('micro-pilot: exit 4 with mode micro-pilot', async () => {
    const { exitCode, body } = await run({ scorecard: ex('scorecard-micro-pilot.json') });
    expect([exitCode, body.verdict, body.reason_codes, body.overrides]).toEqual([4, 'pilot', ['micro_pilot'], { mode: 'micro-pilot' }]);
  });

  it('without --key, the override key is WARDEN_OVERRIDE_KEY from the environment; with neither, invalid input', async () => {
    const key = readFileSync(ex('override.key'), 'utf8');
    const withEnv = await run({ scorecard: ex('scorecard-weak.json'), override: ex('override-promote.json'), env: { WARDEN_OVERRIDE_KEY: key } });
    expect(withEnv.exitCode).toBe(0);
    expect(withEnv.body.verdict).toBe('promote');
    const wrongEnv = await run({ scorecard: ex('scorecard-weak.json'), override: ex('override-promote.json'), env: { WARDEN_OVERRIDE_KEY: 'another key' } });
    expect(wrongEnv.exitCode).toBe(6);
    const none = await run({ scorecard: ex('scorecard-weak.json'), override: ex('override-promote.json'), env: {} });
    expect(none.exitCode).toBe(6);
    expect(none.body).toMatchObject({ ok: false, code: 'invalid_input', error: expect.stringContaining('--override needs --key') });
  });

  it('a signed override (signed by Python, as menace signs) forces promote: exit 0', async () => {
    const { exitCode, body } = await run({
      scorecard: ex('scorecard-weak.json'),
      policy: ex('policy.yaml'),
      rules: ex('rules.yaml'),
      override: ex('override-promote.json'),
      keyFile: ex('override.key'),
    });
    expect(exitCode).toBe(0);
    expect(body.verdict).toBe('promote');
    expect(body.reason_codes).toEqual(['near_miss_pilot', 'manual_override']);
    expect(body.overrides).toMatchObject({ verdict: 'promote', override_path: ex('override-promote.json') });
  });

  it('a tampered override is refused: exit 6, nothing evaluated', async () => {
    const { exitCode, body } = await run({ scorecard: ex('scorecard-weak.json'), override: ex('override-tampered.json'), keyFile: ex('override.key') });
    expect(exitCode).toBe(6);
    expect(body).toEqual({ ok: false, error: 'override signature does not match its data', code: 'override_bad_signature' });
  });

  it('prints deterministic JSON (sorted keys, same bytes every run) and a readable trace without --json', async () => {
    const opts = { scorecard: ex('scorecard-strong.json'), policy: ex('policy.yaml'), rules: ex('rules.yaml'), json: true };
    const a = await promotionEvaluate(opts);
    const b = await promotionEvaluate(opts);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.indexOf('"overrides"')).toBeLessThan(a.stdout.indexOf('"reason_codes"'));
    const text = await promotionEvaluate({ ...opts, json: false });
    expect(text.stdout).toMatch(/^verdict: promote\nreason_codes: \(none\)\ntrace:\n {2}alignment_veto: pass/);
    expect(text.stdout).toContain('rule 0 [file] demote (confidence_collapsed): false');
  });

  describe("menace's own files (transcribed in test/support/parity-vectors.ts)", () => {
    it("menace's config/deployment_governance.yaml with test_promotion's scorecard promotes, as in menace: exit 0", async () => {
      const menace = materialize(MENACE_FILES);
      const fx = (name: string) => join(menace, name);
      const out = await promotionEvaluate({ scorecard: fx('test_promotion.scorecard.json'), rules: fx('deployment_governance.yaml'), json: true });
      expect(out.exitCode).toBe(0);
      expect(out.stdout.trimEnd().split('\n')).toHaveLength(1);
      const body = JSON.parse(out.stdout) as { ok: boolean; verdict: string; reason_codes: string[]; trace: Record<string, unknown>[] };
      expect([body.ok, body.verdict, body.reason_codes]).toEqual([true, 'promote', []]);
      // the micro_pilot rule names sandbox_roi and adapter_roi, which the scorecard lacks: it does not match, and says why
      expect(body.trace.find((t) => t.step === 'rule' && t.reason_code === 'micro_pilot')).toMatchObject({ result: 'missing_metric', missing: ['sandbox_roi', 'adapter_roi'] });
      const text = await promotionEvaluate({ scorecard: fx('test_promotion.scorecard.json'), rules: fx('deployment_governance.yaml') });
      expect(text.stdout).toContain('rule 1 [file] pilot (micro_pilot): missing_metric (sandbox_roi, adapter_roi)');
    });
  });

  describe('invalid input: exit 6', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'warden-promotion-cli-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('a rule that does not compile names the rule', async () => {
      const rules = join(dir, 'bad-rules.yaml');
      await writeFile(rules, '- decision: demote\n  condition: "raroi > 1"\n  reason_code: fine\n- decision: demote\n  condition: "open(\'x\')"\n  reason_code: sneaky\n');
      const { exitCode, body } = await run({ scorecard: ex('scorecard-strong.json'), rules });
      expect(exitCode).toBe(6);
      expect(body).toMatchObject({ ok: false, code: 'rule_compile_error', rule: 'rule 2 (sneaky)' });
      const text = await promotionEvaluate({ scorecard: ex('scorecard-strong.json'), rules });
      expect(text.stdout).toMatch(/^invalid input \(rule_compile_error\): rule 2 \(sneaky\) does not compile/);
    });

    it('missing files, bad JSON, a bad scorecard, --override without --key, unsigned flags in a policy', async () => {
      const bad = join(dir, 'bad.json');
      await writeFile(bad, '{"raroi": ');
      const card = join(dir, 'card.json');
      await writeFile(card, '{"raroi": "high"}');
      const policy = join(dir, 'policy.json');
      await writeFile(policy, '{"overrides": {"verdict": "promote"}}');
      expect((await run({ scorecard: join(dir, 'missing.json') })).exitCode).toBe(6);
      expect((await run({ scorecard: bad })).exitCode).toBe(6);
      expect((await run({ scorecard: card })).body).toMatchObject({ ok: false, code: 'invalid_scorecard', field: 'raroi' });
      expect((await run({ scorecard: ex('scorecard-strong.json'), override: ex('override-promote.json') })).exitCode).toBe(6);
      expect((await run({ scorecard: ex('scorecard-strong.json'), policy })).body).toMatchObject({ ok: false, code: 'invalid_policy', key: 'overrides' });
    });

    it('a scorecard with none of the known metrics ({"foo": 1}) is invalid input: one line, gate eval\'s error shape', async () => {
      const card = join(dir, 'foo.json');
      await writeFile(card, '{"foo": 1}');
      const out = await promotionEvaluate({ scorecard: card, json: true });
      expect(out.exitCode).toBe(6);
      expect(out.stdout.endsWith('\n')).toBe(true);
      expect(out.stdout.trimEnd().split('\n')).toHaveLength(1);
      const body = JSON.parse(out.stdout) as Record<string, unknown>;
      expect(body).toMatchObject({ ok: false, code: 'invalid_scorecard' });
      expect(typeof body.error).toBe('string');
      expect(Object.keys(body).slice(0, 2)).toEqual(['ok', 'error']);
    });
  });
});
