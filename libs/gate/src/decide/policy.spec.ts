import { policyDigest } from './digest.js';
import { GateInputError } from './input-error.js';
import { parsePolicyYaml } from './policy.js';

const yaml = (rules: string, head = '') => `schema_id: gait.gate.policy\nschema_version: 1.0.0\n${head}rules:\n${rules}`;

describe('parsePolicyYaml (gait normalizePolicy)', () => {
  it('defaults: schema id/version filled, default_verdict require_approval, fail_closed risk classes critical+high', () => {
    const p = parsePolicyYaml('fail_closed:\n  enabled: true\n');
    expect(p.schema_id).toBe('gait.gate.policy');
    expect(p.schema_version).toBe('1.0.0');
    expect(p.default_verdict).toBe('require_approval');
    expect(p.fail_closed).toEqual({ enabled: true, risk_classes: ['critical', 'high'], required_fields: [] });
    expect(p.rules).toEqual([]);
  });

  it('sorts rules by priority ascending, then name; ties broken by name whatever the file order', () => {
    const p = parsePolicyYaml(yaml(['  - {name: b, priority: 5, effect: allow}', '  - {name: c, priority: 1, effect: block}', '  - {name: a, priority: 5, effect: block}', '  - {name: z, effect: dry_run}'].join('\n') + '\n'));
    expect(p.rules.map((r) => r.name)).toEqual(['z', 'c', 'a', 'b']);
  });

  it('normalises case, trimming and duplicates per field as gait does', () => {
    const p = parsePolicyYaml(
      yaml(`  - name: "  r1  "
    effect: " ALLOW "
    match:
      tool_name: Tool.Write
      tool_names: [" TOOL.read", tool.read, ""]
      risk_classes: [HIGH, high]
      identities: [" Alice ", Alice, bob]
      workspace_prefixes: ["/Srv/ "]
      target_values: [" /A ", /A]
      target_kinds: [PATH]
      endpoint_class: [FS.Read]
      provenance_sources: [USER]
    reason_codes: [b, a, a, " "]
    min_approvals: 2
`),
    );
    const r = p.rules[0];
    expect(r.name).toBe('r1');
    expect(r.effect).toBe('allow');
    expect(r.match.tool_names).toEqual(['tool.read', 'tool.write']);
    expect(r.match.risk_classes).toEqual(['high']);
    expect(r.match.identities).toEqual(['Alice', 'bob']);
    expect(r.match.workspace_prefixes).toEqual(['/Srv/']);
    expect(r.match.target_values).toEqual(['/A']);
    expect(r.match.target_kinds).toEqual(['path']);
    expect(r.match.endpoint_classes).toEqual(['fs.read']);
    expect(r.match.provenance_sources).toEqual(['user']);
    expect(r.reason_codes).toEqual(['a', 'b']);
    expect(r.require_distinct_approvers).toBe(true); // min_approvals > 1 implies distinct approvers
  });

  it('rate_limit and dataflow get gait defaults when configured', () => {
    const r = parsePolicyYaml(yaml('  - name: r\n    effect: allow\n    rate_limit: {requests: 5}\n    dataflow: {destination_kinds: [HOST]}\n')).rules[0];
    expect(r.rate_limit).toEqual({ requests: 5, window: 'minute', scope: 'tool_identity' });
    expect(r.dataflow).toMatchObject({ enabled: true, tainted_sources: ['external', 'tool_output'], action: 'require_approval', reason_code: 'dataflow_tainted_destination', violation: 'tainted_dataflow', destination_kinds: ['host'] });
  });

  it('ignores unknown keys as gait does at the seed, names them in warnings, and leaves the digest alone', () => {
    const plain = parsePolicyYaml(yaml('  - {name: r, effect: allow, match: {tool_names: [x]}}\n'));
    const annotated = parsePolicyYaml(`bogus: 1\nfail_closed: {enabled: false, note: x}\n${yaml('  - {name: r, effect: allow, efect: block, owner: team-a, match: {tool_names: [x], tools: [y]}, rate_limit: {burst: 2}}\n')}`);
    expect(annotated.warnings).toEqual([
      'ignored unknown key bogus',
      'ignored unknown key fail_closed.note',
      'ignored unknown key rules[0].efect',
      'ignored unknown key rules[0].owner',
      'ignored unknown key rules[0].match.tools',
      'ignored unknown key rules[0].rate_limit.burst',
    ]);
    expect(plain.warnings).toEqual([]);
    expect(policyDigest(annotated)).toBe(policyDigest(plain));
    const many = parsePolicyYaml(yaml(Array.from({ length: 150 }, (_, i) => `  - {name: r${i}, effect: allow, note: x}\n`).join('')));
    expect(many.warnings).toHaveLength(101);
    expect(many.warnings?.[100]).toBe('... and 50 more ignored keys');
  });

  it('reads the broker-credential keys gait knows at the seed into the rule and its digest', () => {
    const r = parsePolicyYaml(yaml('  - {name: r, effect: allow, require_broker_credential: true, broker_reference: " vault/a ", broker_scopes: [Write, read]}\n'));
    expect(r.warnings).toEqual([]);
    expect(r.rules[0]).toMatchObject({ require_broker_credential: true, broker_reference: 'vault/a', broker_scopes: ['read', 'write'] });
    expect(policyDigest(r)).not.toBe(policyDigest(parsePolicyYaml(yaml('  - {name: r, effect: allow}\n'))));
  });

  it.each([
    ['gait field Warden does not evaluate', yaml('  - {name: r, effect: allow, match: {skill_publishers: [x]}}\n')],
    ['duplicate key', 'default_verdict: allow\ndefault_verdict: block\n'],
    ['bad yaml', 'rules: [\n'],
    ['wrong schema_id', 'schema_id: other\n'],
    ['wrong schema_version', 'schema_version: 2.0.0\n'],
    ['bad default_verdict', 'default_verdict: maybe\n'],
    ['default_action disagrees', 'default_verdict: allow\ndefault_action: block\n'],
    ['rule without name', yaml('  - {effect: allow}\n')],
    ['rule without effect', yaml('  - {name: r}\n')],
    ['bad effect', yaml('  - {name: r, effect: permit}\n')],
    ['action disagrees with effect', yaml('  - {name: r, effect: allow, action: block}\n')],
    ['negative min_approvals', yaml('  - {name: r, effect: allow, min_approvals: -1}\n')],
    ['priority not an integer', yaml('  - {name: r, effect: allow, priority: "1"}\n')],
    ['list field not a list', yaml('  - {name: r, effect: allow, match: {tool_names: tool.read}}\n')],
    ['bad endpoint class', yaml('  - {name: r, effect: allow, match: {endpoint_classes: [fs.chmod]}}\n')],
    ['bad rate limit window', yaml('  - {name: r, effect: allow, rate_limit: {requests: 1, window: day}}\n')],
    ['bad dataflow action', yaml('  - {name: r, effect: allow, dataflow: {enabled: true, action: allow}}\n')],
    ['unsupported required field', 'fail_closed: {enabled: true, required_fields: [colour]}\n'],
    ['duplicate rule names', yaml('  - {name: r, effect: allow}\n  - {name: r, effect: block}\n')],
  ])('refuses %s (GateInputError → exit 6)', (_what, text) => {
    expect(() => parsePolicyYaml(text)).toThrow(GateInputError);
  });
});
