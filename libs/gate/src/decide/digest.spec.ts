import { createHash } from 'node:crypto';
import { intentDigest, policyDigest, traceId } from './digest.js';
import { normalizeIntent } from './intent.js';
import { parsePolicyYaml } from './policy.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('digests (SHA-256 of RFC 8785 JSON of the normalised documents, as gait)', () => {
  it('intent digest is over gait seed normalizedIntent JSON: omitempty fields dropped, targets always present, nothing inferred', () => {
    const i = normalizeIntent({ tool_name: ' Tool.Read ', args: { path: ' /a ' }, targets: [{ kind: 'path', value: '/a', operation: 'read' }], context: { identity: 'u', workspace: '/w', risk_class: 'LOW', phase: 'plan' } });
    const canonical = '{"args":{"path":"/a"},"context":{"identity":"u","risk_class":"low","workspace":"/w"},"targets":[{"kind":"path","operation":"read","value":"/a"}],"tool_name":"tool.read"}';
    expect(intentDigest(i)).toBe(sha(canonical));
  });

  it('policy digest is over gait policyDigestPayload (Go field names)', () => {
    const canonical = '{"DefaultVerdict":"require_approval","FailClosed":{"Enabled":false,"RequiredFields":[],"RiskClasses":[]},"Rules":[],"SchemaID":"gait.gate.policy","SchemaVersion":"1.0.0"}';
    expect(policyDigest(parsePolicyYaml('{}'))).toBe(sha(canonical));
  });

  it('is stable under key order, whitespace, case and duplicates of the source documents', () => {
    const a = parsePolicyYaml('default_verdict: block\nrules:\n  - {name: r, priority: 1, effect: allow, match: {tool_names: [t.read, T.READ]}}\n  - {name: q, priority: 1, effect: block}\n');
    const b = parsePolicyYaml('rules:\n  -   effect: BLOCK\n      name: q\n      priority: 1\n  - match:\n      tool_names:   [ " t.read " ]\n    effect: allow\n    priority: 1\n    name: r\ndefault_verdict: " block "\n');
    expect(policyDigest(a)).toBe(policyDigest(b));
    const i1 = normalizeIntent(JSON.parse('{"tool_name":"x","args":{"b":1,"a":{"d":2,"c":3}},"context":{"identity":"u","workspace":"/w","risk_class":"low"}}'));
    const i2 = normalizeIntent(JSON.parse('{ "context" : {"risk_class":"LOW" ,"workspace":"/w","identity":" u "}, "args":{"a":{"c":3,"d":2.0},"b":1}, "tool_name":" X " }'));
    expect(intentDigest(i1)).toBe(intentDigest(i2));
    expect(intentDigest(i1)).not.toBe(intentDigest(normalizeIntent({ ...i1, tool_name: 'y' })));
  });

  it('trace_id is the first 12 bytes of SHA-256(policy:intent:verdict)', () => {
    expect(traceId('p', 'i', 'allow')).toBe(sha('p:i:allow').slice(0, 24));
  });
});
