import fc from 'fast-check';
import { GateInputError } from './input-error.js';
import { evaluateIntent, failsClosedOnInvalid } from './evaluate.js';
import { normalizePolicy, parsePolicyYaml } from './policy.js';
import { applySimulate } from './simulate.js';

const intent = (over: Record<string, unknown> = {}, ctx: Record<string, unknown> = {}) => ({
  tool_name: 'tool.read',
  args: {},
  targets: [{ kind: 'path', value: '/srv/a', operation: 'read' }],
  arg_provenance: [{ arg_path: '$.path', source: 'user' }],
  ...over,
  context: { identity: 'alice', workspace: '/srv/app', risk_class: 'low', ...ctx },
});
const policy = (rules: string, head = '') => parsePolicyYaml(`${head}rules:\n${rules}`);
const rule = (name: string, priority: number, effect: string, match = '{}', extra = '') => `  - {name: ${name}, priority: ${priority}, effect: ${effect}, match: ${match}${extra}}\n`;

describe('evaluateIntent', () => {
  it('first match in priority order decides, whatever the file order', () => {
    const p = policy(rule('late', 20, 'block') + rule('early', 10, 'allow'));
    const e = evaluateIntent(p, intent());
    expect([e.verdict, e.matched_rule, e.reason_codes]).toEqual(['allow', 'early', ['matched_rule_early']]);
  });

  it('equal priorities: the smaller name wins', () => {
    expect(evaluateIntent(policy(rule('b-rule', 1, 'block') + rule('a-rule', 1, 'dry_run')), intent()).matched_rule).toBe('a-rule');
  });

  it('no match gives default_verdict, and require_approval (1 approval) when it is unset', () => {
    const unset = evaluateIntent(policy(rule('r', 1, 'allow', '{tool_names: [other]}')), intent());
    expect([unset.verdict, unset.reason_codes, unset.min_approvals, unset.matched_rule]).toEqual(['require_approval', ['default_require_approval'], 1, null]);
    const set = evaluateIntent(policy('  []\n', 'default_verdict: dry_run\n'), intent());
    expect([set.verdict, set.reason_codes, set.min_approvals]).toEqual(['dry_run', ['default_dry_run'], 0]);
  });

  it('rule reason codes and violations replace matched_rule_<name>; min approvals and distinct approvers come from the rule', () => {
    const e = evaluateIntent(policy(rule('Needs Two-Humans', 1, 'require_approval', '{}', ', min_approvals: 2, violations: [v], reason_codes: [r2, r1]')), intent());
    expect([e.reason_codes, e.violations, e.min_approvals, e.require_distinct_approvers]).toEqual([['r1', 'r2'], ['v'], 2, true]);
    const named = evaluateIntent(policy(rule('Needs Two-Humans', 1, 'require_approval')), intent());
    expect([named.reason_codes, named.min_approvals]).toEqual([['matched_rule_needs_two_humans'], 1]);
  });

  it.each([
    ['tool_names', '{tool_names: [TOOL.READ]}', {}, {}, true],
    ['tool_names miss', '{tool_names: [tool.write]}', {}, {}, false],
    ['risk_classes', '{risk_classes: [LOW]}', {}, { risk_class: 'Low' }, true],
    ['risk_classes miss', '{risk_classes: [high]}', {}, {}, false],
    ['identities (case kept)', '{identities: [alice]}', {}, {}, true],
    ['identities miss on case', '{identities: [Alice]}', {}, {}, false],
    ['workspace_prefixes', '{workspace_prefixes: [/srv]}', {}, {}, true],
    ['workspace_prefixes miss', '{workspace_prefixes: [/home]}', {}, {}, false],
    ['target_kinds', '{target_kinds: [PATH]}', {}, {}, true],
    ['target_values (one target suffices)', '{target_values: [/srv/b]}', { targets: [{ kind: 'path', value: '/srv/a' }, { kind: 'path', value: '/srv/b' }] }, {}, true],
    ['target_values miss', '{target_values: [/srv/z]}', {}, {}, false],
    ['endpoint_classes', '{endpoint_classes: [fs.read]}', {}, {}, true],
    ['data_classes', '{data_classes: [pii]}', { targets: [{ kind: 'table', value: 'users', sensitivity: 'PII' }] }, {}, true],
    ['data_classes miss', '{data_classes: [pii]}', {}, {}, false],
    ['destination_operations', '{destination_operations: [read]}', {}, {}, true],
    ['provenance_sources', '{provenance_sources: [external]}', { arg_provenance: [{ arg_path: '$.x', source: 'External' }] }, {}, true],
    ['provenance_sources miss', '{provenance_sources: [external]}', {}, {}, false],
    ['all fields AND together', '{tool_names: [tool.read], identities: [alice], risk_classes: [high]}', {}, {}, false],
  ])('match field %s', (_what, match, over, ctx, matches) => {
    const e = evaluateIntent(policy(rule('r', 1, 'allow', match), 'default_verdict: block\n'), intent(over, ctx));
    expect(e.matched_rule).toBe(matches ? 'r' : null);
  });

  it('fail_closed blocks high-risk intents missing targets or provenance, before any rule', () => {
    const p = policy(rule('allow-all', 1, 'allow'), 'fail_closed: {enabled: true, required_fields: [targets, arg_provenance]}\n');
    const e = evaluateIntent(p, intent({ targets: [], arg_provenance: [] }, { risk_class: 'HIGH' }));
    expect([e.verdict, e.reason_codes, e.violations, e.matched_rule]).toEqual(['block', ['fail_closed_missing_arg_provenance', 'fail_closed_missing_targets'], ['missing_arg_provenance', 'missing_targets'], null]);
    // not a covered risk class: rules decide
    expect(evaluateIntent(p, intent({ targets: [], arg_provenance: [] })).verdict).toBe('allow');
    // a covered class with an unknown endpoint class blocks even when not listed (gait)
    expect(evaluateIntent(p, intent({ targets: [{ kind: 'repo', value: 'x' }] }, { risk_class: 'critical' })).reason_codes).toEqual(['fail_closed_endpoint_class_unknown']);
  });

  it('an intent that cannot be normalised blocks under fail_closed, otherwise it is invalid input', () => {
    const p = policy('  []\n', 'fail_closed: {enabled: true}\n');
    const e = evaluateIntent(p, { tool_name: '', context: { risk_class: 'high' } });
    expect([e.verdict, e.reason_codes, e.intent_digest]).toEqual(['block', ['fail_closed_intent_invalid'], null]);
    expect(() => evaluateIntent(p, { tool_name: '', context: { risk_class: 'low' } })).toThrow(GateInputError);
    // The same rule, asked before evaluating (the server answers 400 before reading the levers).
    expect(failsClosedOnInvalid(p, { tool_name: '', context: { risk_class: ' High ' } })).toBe(true);
    expect(failsClosedOnInvalid(p, { tool_name: '', context: { risk_class: 'low' } })).toBe(false);
    expect(failsClosedOnInvalid(p, 'not an object')).toBe(false);
    expect(failsClosedOnInvalid(policy('  []\n'), { context: { risk_class: 'high' } })).toBe(false);
  });

  it('a destructive target raises an allow to require_approval (apply) or dry_run (plan)', () => {
    const p = policy(rule('allow-all', 1, 'allow'));
    const del = { targets: [{ kind: 'path', value: '/a', operation: 'delete' }] };
    expect(evaluateIntent(p, intent(del)).reason_codes).toEqual(['destructive_apply_requires_approval', 'matched_rule_allow_all']);
    expect(evaluateIntent(p, intent(del)).verdict).toBe('require_approval');
    expect(evaluateIntent(p, intent(del, { phase: 'plan' })).verdict).toBe('dry_run');
  });

  it('dataflow: tainted provenance to an egress destination replaces the effect', () => {
    const p = policy(rule('egress', 1, 'allow', '{}', ', dataflow: {enabled: true, action: block}'));
    const e = evaluateIntent(p, intent({ targets: [{ kind: 'host', value: 'evil.example' }], arg_provenance: [{ arg_path: '$.x', source: 'external' }] }));
    expect([e.verdict, e.reason_codes, e.violations]).toEqual(['block', ['dataflow_tainted_destination', 'matched_rule_egress'], ['tainted_dataflow']]);
    expect(evaluateIntent(p, intent({ targets: [{ kind: 'host', value: 'ok.example' }] })).verdict).toBe('allow');
  });

  it('simulate never blocks and reports what would have happened', () => {
    const s = applySimulate(evaluateIntent(policy(rule('no', 1, 'block', '{}', ', violations: [v]')), intent()));
    expect([s.verdict, s.would_have_blocked, s.simulated_verdict, s.violations]).toEqual(['allow', true, 'block', []]);
    expect(s.reason_codes).toEqual(['matched_rule_no', 'simulate_mode_non_enforcing', 'simulated_block']);
  });
});

// ---- properties: random policies over a small vocabulary so that rules overlap and tie ----
const TOOLS = ['tool.read', 'tool.write', 'tool.delete', 'tool.exec'];
const IDS = ['alice', 'bob', 'carol'];
const VALUES = ['/a', '/b', '/c', 'db.users'];
const pick = <T>(xs: T[]) => fc.subarray(xs, { maxLength: 2 });
const arbRule = fc.record({
  priority: fc.integer({ min: 0, max: 4 }),
  effect: fc.constantFrom('allow', 'dry_run', 'require_approval', 'block'),
  match: fc.record(
    { tool_names: pick(TOOLS), identities: pick(IDS), target_values: pick(VALUES), risk_classes: pick(['low', 'high']), target_kinds: pick(['path', 'table']), workspace_prefixes: pick(['/srv', '/home']), provenance_sources: pick(['user', 'external']) },
    { requiredKeys: [] },
  ),
});
const arbRawPolicy = fc.record({
  default_verdict: fc.constantFrom('allow', 'block', 'require_approval', undefined),
  fail_closed: fc.record({ enabled: fc.boolean(), required_fields: pick(['targets', 'arg_provenance']) }),
  rules: fc.array(arbRule, { maxLength: 25 }).map((rs) => rs.map((r, i) => ({ name: `r${i}`, ...r }))),
});
const arbIntent = fc.record({
  tool_name: fc.constantFrom(...TOOLS),
  args: fc.constant({}),
  targets: fc.array(fc.record({ kind: fc.constantFrom('path', 'table'), value: fc.constantFrom(...VALUES), operation: fc.constantFrom('read', 'write') }), { maxLength: 3 }),
  arg_provenance: fc.array(fc.record({ arg_path: fc.constant('$.x'), source: fc.constantFrom('user', 'external') }), { maxLength: 2 }),
  context: fc.record({ identity: fc.constantFrom(...IDS), workspace: fc.constantFrom('/srv/app', '/home/x'), risk_class: fc.constantFrom('low', 'high') }),
});
const verdictOf = ({ trace: _trace, ...rest }: ReturnType<typeof evaluateIntent>) => rest;

describe('evaluateIntent properties', () => {
  it('indexed evaluation gives exactly the linear first-match result', () => {
    fc.assert(
      fc.property(arbRawPolicy, arbIntent, (raw, i) => {
        const p = normalizePolicy(raw);
        expect(verdictOf(evaluateIntent(p, i))).toEqual(verdictOf(evaluateIntent(p, i, { linear: true })));
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic and independent of the rule order in the file (verdict, reasons and digests)', () => {
    fc.assert(
      fc.property(arbRawPolicy, arbIntent, fc.nat(), (raw, i, seed) => {
        const shuffled = { ...raw, rules: [...raw.rules].sort((a, b) => ((a.name.length * 31 + seed) % 7) - ((b.name.length * 17 + seed) % 5) || (seed % 2 ? 1 : -1)) };
        const a = evaluateIntent(normalizePolicy(raw), i);
        expect(evaluateIntent(normalizePolicy(raw), i)).toEqual(a);
        expect(evaluateIntent(normalizePolicy(shuffled), i)).toEqual(a);
        expect(evaluateIntent(normalizePolicy({ ...raw, rules: [...raw.rules].reverse() }), i)).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});
