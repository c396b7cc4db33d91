import { evaluateIntent } from './evaluate.js';
import { normalizeIntent } from './intent.js';
import { parsePolicyYaml } from './policy.js';
import { replayableIntent, replayIntents, type StoredIntent } from './policy-replay.js';

const ACTIVE = parsePolicyYaml(`default_verdict: block
rules:
  - name: allow-reads
    priority: 10
    effect: allow
    match: {tool_names: [tool.read]}
  - name: approve-writes
    priority: 20
    effect: require_approval
    match: {tool_names: [tool.write]}
    reason_codes: [approval_required_for_write]
`);
// The candidate also allows writes by the build agent, and blocks reads of /secrets.
const CANDIDATE = parsePolicyYaml(`default_verdict: block
rules:
  - name: no-secrets
    priority: 1
    effect: block
    match: {tool_names: [tool.read], target_values: [/secrets]}
    reason_codes: [secret_read_blocked]
  - name: allow-reads
    priority: 10
    effect: allow
    match: {tool_names: [tool.read]}
  - name: builder-writes
    priority: 15
    effect: allow
    match: {tool_names: [tool.write], identities: [builder]}
  - name: approve-writes
    priority: 20
    effect: require_approval
    match: {tool_names: [tool.write]}
`);

const raw = (tool: string, identity: string, path: string) => ({
  tool_name: tool,
  args: { path, token: 'secret-value' },
  targets: [{ kind: 'path', value: path, operation: tool.split('.')[1] }],
  arg_provenance: [{ arg_path: '$.path', source: 'user' }],
  context: { identity, workspace: '/srv', risk_class: 'medium' },
});
/** As the log stores it: normalised, args dropped, through JSON. */
const stored = (id: string, tool: string, identity: string, path: string): StoredIntent => ({
  decision_id: id,
  created_at: `2026-12-0${id}T10:00:00.000Z`,
  identity,
  recorded_verdict: evaluateIntent(ACTIVE, raw(tool, identity, path)).verdict,
  intent: JSON.parse(JSON.stringify(replayableIntent(normalizeIntent(raw(tool, identity, path))))),
});

describe('replaying stored intents under a candidate policy', () => {
  const log = [stored('1', 'tool.read', 'alice', '/srv/a'), stored('2', 'tool.read', 'alice', '/secrets'), stored('3', 'tool.write', 'builder', '/srv/b'), stored('4', 'tool.write', 'alice', '/srv/c'), stored('5', 'tool.delete', 'alice', '/srv/d')];

  it('reports exactly the decisions whose policy verdict the candidate changes, with the transitions', () => {
    const r = replayIntents(CANDIDATE, ACTIVE, log);
    expect(r).toMatchObject({ evaluated: 5, skipped: 0, changed: 2 });
    expect(r.changes.map((c) => [c.decision_id, c.active_verdict, c.candidate_verdict, c.candidate_matched_rule])).toEqual([
      ['2', 'allow', 'block', 'no-secrets'],
      ['3', 'require_approval', 'allow', 'builder-writes'],
    ]);
    expect(r.changes[0].candidate_reason_codes).toEqual(['secret_read_blocked']);
    expect(r.transitions).toEqual([
      { from: 'allow', to: 'block', count: 1 },
      { from: 'require_approval', to: 'allow', count: 1 },
    ]);
    expect(r.by_verdict).toEqual({ active: { allow: 2, dry_run: 0, require_approval: 2, block: 1 }, candidate: { allow: 2, dry_run: 0, require_approval: 1, block: 2 } });
  });

  it('the active policy against itself changes nothing, and a stored intent judges as the original did', () => {
    expect(replayIntents(ACTIVE, ACTIVE, log)).toMatchObject({ evaluated: 5, changed: 0, changes: [] });
    for (const s of log) expect(replayIntents(ACTIVE, null, [s]).by_verdict.candidate[s.recorded_verdict]).toBe(1);
  });

  it('without an active policy every intent was blocked (no_active_policy): what the candidate lets through is a change', () => {
    const r = replayIntents(ACTIVE, null, log);
    expect(r.changes.map((c) => [c.decision_id, c.active_verdict, c.active_reason_codes, c.candidate_verdict])).toEqual([
      ['1', 'block', ['no_active_policy'], 'allow'],
      ['2', 'block', ['no_active_policy'], 'allow'],
      ['3', 'block', ['no_active_policy'], 'require_approval'],
      ['4', 'block', ['no_active_policy'], 'require_approval'],
    ]);
  });

  it('keeps no args in the stored form, and skips (counts) a stored intent that does not normalise', () => {
    expect(replayableIntent(normalizeIntent(raw('tool.read', 'a', '/x')))!.args).toEqual({});
    expect(replayableIntent(null)).toBeNull();
    const r = replayIntents(CANDIDATE, ACTIVE, [...log, { ...log[0], decision_id: 'bad', intent: { tool_name: '' } }]);
    expect(r).toMatchObject({ evaluated: 5, skipped: 1, changed: 2 });
  });
});
