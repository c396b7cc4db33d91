import { GateInputError } from './input-error.js';
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

  it.each([
    ['missing tool_name', { ...base, tool_name: ' ' }],
    ['missing identity', { ...base, context: { workspace: '/w', risk_class: 'low' } }],
    ['missing workspace', { ...base, context: { identity: 'a', risk_class: 'low' } }],
    ['missing risk_class', { ...base, context: { identity: 'a', workspace: '/w' } }],
    ['args not an object', { ...base, args: [1] }],
    ['empty arg key', { ...base, args: { ' ': 1 } }],
    ['raw credential in args', { ...base, args: { api_key: 'ghp_abcdefghijklmnop' } }],
    ['target without value', { ...base, targets: [{ kind: 'path' }] }],
    ['unknown target kind', { ...base, targets: [{ kind: 'file', value: '/a' }] }],
    ['unknown endpoint class', { ...base, targets: [{ kind: 'path', value: '/a', endpoint_class: 'fs.chmod' }] }],
    ['unknown provenance source', { ...base, arg_provenance: [{ arg_path: '$.a', source: 'llm' }] }],
    ['bad integrity digest', { ...base, arg_provenance: [{ arg_path: '$.a', source: 'user', integrity_digest: 'abc' }] }],
    ['bad phase', { ...base, context: { ...base.context, phase: 'later' } }],
    ['bad created_at', { ...base, created_at: 'yesterday' }],
    ['script (not evaluated by Warden)', { ...base, script: { steps: [] } }],
    ['unsupported context field', { ...base, context: { ...base.context, sandbox: { network_mode: 'full' } } }],
    ['tool_name not a string', { ...base, tool_name: 7 }],
  ])('refuses %s', (_what, input) => {
    expect(() => normalizeIntent(input)).toThrow(GateInputError);
  });
});
