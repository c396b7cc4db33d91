import { GateInputError } from './input-error.js';
import { intentDigest } from './digest.js';
import { normalizeIntent } from './intent.js';

const base = { tool_name: 'tool.read', args: {}, context: { identity: 'alice', workspace: '/srv', risk_class: 'low' } };

describe('normalizeIntent (gait normalizeIntent)', () => {
  it('lower-cases and trims names, trims args and identity, defaults phase apply and created_at 1980', () => {
    const i = normalizeIntent({ ...base, tool_name: '  Tool.READ ', args: { ' path ': ' /a ', n: [' x '] }, context: { identity: ' Alice ', workspace: 'C:\\work', risk_class: ' HIGH ' } });
    expect(i.tool_name).toBe('tool.read');
    expect(i.args).toEqual({ path: '/a', n: ['x'] });
    expect(i.context).toMatchObject({ identity: 'Alice', workspace: 'C:/work', risk_class: 'high', phase: 'apply' });
    expect(i.created_at).toBe('1980-01-01T00:00:00Z');
  });

  it('dedupes and sorts targets and provenance; infers endpoint class, domain and destructiveness', () => {
    const i = normalizeIntent({
      ...base,
      tool_name: 'fs.delete_file',
      targets: [
        { kind: 'URL', value: 'https://API.Example.com/x' },
        { kind: 'path', value: '/b' },
        { kind: 'path', value: ' /b ' },
        { kind: 'path', value: '/a', operation: 'READ' },
      ],
      arg_provenance: [{ arg_path: '$.b', source: 'USER' }, { arg_path: '$.a', source: 'external' }, { arg_path: '$.a', source: 'external' }],
    });
    expect(i.targets.map((t) => [t.kind, t.value, t.endpoint_class, t.destructive, t.endpoint_domain])).toEqual([
      ['path', '/a', 'fs.read', false, ''],
      ['path', '/b', 'fs.delete', true, ''],
      ['url', 'https://API.Example.com/x', 'net.http', false, 'api.example.com'],
    ]);
    expect(i.targets[0].discovery_method).toBe('unknown');
    expect(i.arg_provenance.map((p) => p.arg_path)).toEqual(['$.a', '$.b']);
    expect(i.arg_provenance[1].source).toBe('user');
  });

  it('keeps created_at as Go formats it in UTC', () => {
    expect(normalizeIntent({ ...base, created_at: '2026-02-06T01:00:00.500+01:00' }).created_at).toBe('2026-02-06T00:00:00.5Z');
  });

  it('ignores what gait ignores at the seed: unknown context keys, later target fields of any type, any phase', () => {
    const plain = normalizeIntent({ ...base, targets: [{ kind: 'path', value: '/a' }] });
    const extra = normalizeIntent({
      ...base,
      targets: [{ kind: 'path', value: '/a', endpoint_class: 'fs.chmod', destructive: 'yes', discovery_method: 7 }],
      context: { ...base.context, sandbox: { network_mode: 'full' }, phase: 'later', agent_id: 3 },
    });
    expect(intentDigest(extra)).toBe(intentDigest(plain));
    expect(extra.context.phase).toBe('apply');
    expect(extra.targets[0]).toMatchObject({ endpoint_class: 'fs.chmod', destructive: false, discovery_method: 'unknown' });
    // what the seed does not know never reaches the digest; session and request ids do
    expect(intentDigest(normalizeIntent({ ...base, context: { ...base.context, session_id: 's1' } }))).not.toBe(intentDigest(normalizeIntent(base)));
  });

  it('two targets equal on kind, value, operation and sensitivity are one (gait seed key)', () => {
    const i = normalizeIntent({ ...base, targets: [{ kind: 'path', value: '/a', endpoint_class: 'fs.read' }, { kind: 'path', value: '/a', endpoint_class: 'fs.write' }] });
    expect(i.targets.map((t) => t.endpoint_class)).toEqual(['fs.read']);
  });

  it.each([
    ['missing tool_name', { ...base, tool_name: ' ' }],
    ['missing identity', { ...base, context: { workspace: '/w', risk_class: 'low' } }],
    ['missing workspace', { ...base, context: { identity: 'a', risk_class: 'low' } }],
    ['missing risk_class', { ...base, context: { identity: 'a', workspace: '/w' } }],
    ['args not an object', { ...base, args: [1] }],
    ['empty arg key', { ...base, args: { ' ': 1 } }],
    ['target without value', { ...base, targets: [{ kind: 'path' }] }],
    ['unknown target kind', { ...base, targets: [{ kind: 'file', value: '/a' }] }],
    ['unknown provenance source', { ...base, arg_provenance: [{ arg_path: '$.a', source: 'llm' }] }],
    ['bad integrity digest', { ...base, arg_provenance: [{ arg_path: '$.a', source: 'user', integrity_digest: 'abc' }] }],
    ['bad created_at', { ...base, created_at: 'yesterday' }],
    ['script (not evaluated by Warden)', { ...base, script: { steps: [] } }],
    ['session_id not a string', { ...base, context: { ...base.context, session_id: 5 } }],
    ['tool_name not a string', { ...base, tool_name: 7 }],
  ])('refuses %s', (_what, input) => {
    expect(() => normalizeIntent(input)).toThrow(GateInputError);
  });
});
