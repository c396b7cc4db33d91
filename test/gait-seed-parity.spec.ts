// gait as the seed pinned it (Clyra-AI/gait e994fb43): Warden's digests, trace ids, verdicts, reason
// codes and exit codes on gait's own example files, byte for byte. The pinned values were computed
// from gait's Go definitions (normalizedIntent, policyDigestPayload, computeTraceID) by hand-built
// payloads, independently of Warden's code, and agree with gait's golden file where it has them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gateEvalOffline } from '../apps/cli/src/commands/gate-commands.js';
import { policyTest, policyValidate } from '../apps/cli/src/commands/policy-commands.js';
import { GAIT_SEED_FILES, materialize } from './support/parity-vectors.js';

// gait's example inputs, written to a temporary folder from the transcribed vectors.
const G = materialize(GAIT_SEED_FILES);
const ex = (p: string) => join(G, 'examples/policy', p);
const run = (policy: string, intent: string) => {
  const r = policyTest(policy, intent, { json: true });
  return { exitCode: r.exitCode, out: JSON.parse(r.stdout) as Record<string, unknown> };
};

const INTENT = {
  read: '611677ad3dbc7a11fe70ef00fcd1e9b9bae589d9b0d57a9ba58bc8ba5ef5e956',
  write: '9a16703c02a4dcc0861b45fd01e39677f10f7561adab118d5e1cd409041451f7',
  delete: '98a8e4b11200724a50438be4aa84376da9bb27d999a71f52dc663a9653901b57',
};
const POLICY = {
  low: 'aa9e4371c827fc38f26c95588061b8376f20ef6524917ebab69bcc41aa3ed5c9',
  medium: '878ec724f40b96d97dbf669a907c70622073d513952bfb6d40e483754eb564ce',
  high: '4d2f1bd67e1eec01928219fabf42046b8a6463dfe605b98d8157913e37582714',
};
// gait's verdict, reason codes, violations, trace id and exit code for each example pair.
const CASES: [keyof typeof POLICY, keyof typeof INTENT, string, string[], string[], string, number][] = [
  ['low', 'read', 'allow', ['safe_read_allowed'], [], '7f0d0baad29f9479069684a0', 0],
  ['low', 'write', 'require_approval', ['approval_required_for_write'], ['approval_required'], 'b37bb54b8379b9ca0e03ca13', 4],
  ['low', 'delete', 'block', ['destructive_tool_blocked'], ['destructive_operation'], '4bb44d722495c71c9a3199fe', 3],
  ['medium', 'read', 'allow', ['safe_read_allowed'], [], 'f1a372615c7ea3172ae4fbd8', 0],
  ['medium', 'write', 'require_approval', ['approval_required_for_write'], ['approval_required'], '614a9a7c516546f7ca6e6e90', 4],
  ['medium', 'delete', 'block', ['destructive_tool_blocked'], ['destructive_operation'], '8ce39da1b45ab90bf4bda6d1', 3],
  ['high', 'read', 'allow', ['safe_read_allowed'], [], 'edb8a1ac01cfae618595c980', 0],
  ['high', 'write', 'require_approval', ['approval_required_for_write'], ['approval_required'], '5456be6cfde9ae6a846e643f', 4],
  ['high', 'delete', 'block', ['destructive_tool_blocked'], ['destructive_operation'], '18fd8cea557e10738950329f', 3],
];

describe("gait's example policies and intents at the seed (e994fb43)", () => {
  it.each(CASES)('%s x %s: digests, trace id, verdict and reason codes are gait’s', (p, i, verdict, reasons, violations, trace, exit) => {
    const { exitCode, out } = run(ex(`base_${p}_risk.yaml`), ex(`intents/intent_${i}.json`));
    expect(exitCode).toBe(exit);
    expect(out).toMatchObject({ policy_digest: POLICY[p], intent_digest: INTENT[i], verdict, reason_codes: reasons, trace_id: trace });
    expect(out.violations ?? []).toEqual(violations);
    expect(out.created_at).toBe('2026-02-06T00:00:00Z');
    // gate eval: the same digests; a require_approval without a token adds gait's approval codes
    const e = JSON.parse(gateEvalOffline({ policy: ex(`base_${p}_risk.yaml`), intent: ex(`intents/intent_${i}.json`), json: true }).stdout) as Record<string, unknown>;
    expect([e.policy_digest, e.intent_digest, e.trace_id, e.verdict]).toEqual([POLICY[p], INTENT[i], trace, verdict]);
    expect(e.reason_codes).toEqual(verdict === 'require_approval' ? [...reasons, 'approval_token_missing'].sort() : reasons);
  });

  it("a matched destructive_tool_blocked rule gives exactly that code; Warden's extra appears only with --strict", () => {
    const { out } = run(ex('base_high_risk.yaml'), ex('intents/intent_delete.json'));
    expect(out.reason_codes).toEqual(['destructive_tool_blocked']);
    const strict = JSON.parse(policyTest(ex('base_low_risk.yaml'), ex('intents/intent_delete.json'), { json: true, strict: true }).stdout) as Record<string, unknown>;
    // the tool name hints a delete: strict mode's destructive check adds its code to the block
    expect(strict.reason_codes).toEqual(['destructive_apply_requires_approval', 'destructive_tool_blocked']);
  });

  it('gait’s golden file (internal/integration): digests, trace id, verdict, reasons and violations', () => {
    const golden = JSON.parse(readFileSync(join(G, 'internal/integration/testdata/gate_eval_trace_verify.golden.json'), 'utf8')) as Record<string, unknown>;
    const { exitCode, out } = run(join(G, 'internal/integration/testdata/integration_policy.yaml'), join(G, 'internal/integration/testdata/integration_intent.json'));
    expect(exitCode).toBe(3);
    expect({ intent_digest: out.intent_digest, policy_digest: out.policy_digest, reason_codes: out.reason_codes, trace_id: out.trace_id, verdict: out.verdict, violations: out.violations }).toEqual(golden);
  });

  it('core/gate/testdata: the equivalent intents share one digest, the different one does not', () => {
    const digest = (f: string) => run(ex('base_low_risk.yaml'), join(G, 'core/gate/testdata', f)).out.intent_digest;
    expect(digest('intent_equivalent_a.json')).toBe('fa6fe9fed8ced09cc4c7147730679a7daa3ff6069fcb55021c652347a52d256e');
    expect(digest('intent_equivalent_b.json')).toBe('fa6fe9fed8ced09cc4c7147730679a7daa3ff6069fcb55021c652347a52d256e');
    expect(digest('intent_different.json')).toBe('a7d753b154657fff990f274bc53305337a1feb8a5ac74fe5806bd1c48dafee95');
  });

  it.each([
    ['allow', '65819d9cf07c7619aa8aaf2bd4e8d6f8e3f86b139b49a68c535fd14d77a5009f', 0],
    ['block', '3592f5ae672a396845ca29c14ade912f99cb1fca99cecb8edd9cfec74eae8a35', 3],
    ['require_approval', '07a528a879e4f0e0cd5a0e2ca801924746b47dac624862207ef21d4ec266f8f9', 4],
  ])('examples/policy-test/%s.yaml: digest and exit code', (verdict, digest, exit) => {
    const { exitCode, out } = run(join(G, `examples/policy-test/${verdict}.yaml`), join(G, 'examples/policy-test/intent.json'));
    expect([exitCode, out.policy_digest, out.intent_digest, out.verdict, out.reason_codes]).toEqual([exit, digest, INTENT.write, verdict, [`default_${verdict}`]]);
  });
});

describe('what gait at the seed ignores, Warden loads', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-gait-seed-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('broker keys and rule metadata: the policy loads, evaluates as gait, and warns about what it ignored', async () => {
    const policy = join(dir, 'annotated.yaml');
    const base = readFileSync(ex('base_high_risk.yaml'), 'utf8');
    await writeFile(policy, `${base}  - name: brokered-write
    priority: 5
    effect: allow
    description: writes to the ops host need a brokered credential
    owner: platform-team
    match: {tool_names: [tool.write], identities: [ops-bot]}
    require_broker_credential: true
    broker_reference: vault/ops
    broker_scopes: [write]
`);
    const v = JSON.parse(policyValidate(policy, { json: true }).stdout) as Record<string, unknown>;
    expect(v).toMatchObject({ ok: true, rule_count: 4, warnings: ['ignored unknown key rules[3].description', 'ignored unknown key rules[3].owner'] });
    const { exitCode, out } = run(policy, ex('intents/intent_delete.json'));
    expect([exitCode, out.reason_codes, out.warnings]).toEqual([3, ['destructive_tool_blocked'], v.warnings]);
  });

  it('an intent that cannot be normalised, under fail_closed for its risk class: block, exit 3 (policy test and gate eval)', async () => {
    const policy = join(dir, 'fail-closed.yaml');
    await writeFile(policy, `${readFileSync(ex('base_low_risk.yaml'), 'utf8')}fail_closed:\n  enabled: true\n`);
    const intent = join(dir, 'no-identity.json');
    const raw = JSON.parse(readFileSync(ex('intents/intent_delete.json'), 'utf8')) as { context: Record<string, unknown> };
    delete raw.context.identity;
    await writeFile(intent, JSON.stringify(raw));
    const { exitCode, out } = run(policy, intent);
    expect([exitCode, out.verdict, out.reason_codes, out.violations]).toEqual([3, 'block', ['fail_closed_intent_invalid'], ['intent_not_evaluable']]);
    const e = gateEvalOffline({ policy, intent, json: true });
    expect([e.exitCode, JSON.parse(e.stdout).reason_codes]).toEqual([3, ['fail_closed_intent_invalid']]);
    // not covered (the default policy has no fail_closed): invalid input, exit 6
    expect(run(ex('base_low_risk.yaml'), intent).exitCode).toBe(6);
  });
});
