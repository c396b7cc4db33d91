import fc from 'fast-check';
import { answerOf } from './answer.js';
import { parseChange } from './change-input.js';
import { assessRiskLevel, canAutoApprove, decideChange } from './decide.js';
import { DEFAULT_POLICY, type Level, LEVELS } from './policy.js';

const P = DEFAULT_POLICY;
const can = (path: string, level: Level, diff?: { lines_changed?: number; lines_removed?: number }) =>
  canAutoApprove(P, path, level, diff ? { lines_changed: diff.lines_changed ?? 0, lines_removed: diff.lines_removed ?? 0 } : null).ok;
const change = (paths: string[], extra: Record<string, unknown> = {}) => parseChange({ run_id: 'r1', phase_id: 'p1', paths, ...extra });

// Autopack's tests/test_governance_requests.py, rewritten against Warden's decision.
describe('TestAutoApprovalPolicy', () => {
  it('auto-approves test files at low or medium risk, not high', () => {
    expect(can('tests/test_foo.py', 'low')).toBe(true);
    expect(can('tests/test_bar.py', 'medium')).toBe(true);
    expect(can('tests/test_baz.py', 'low', { lines_changed: 50 })).toBe(true);
    expect(can('tests/test_high.py', 'high')).toBe(false);
  });
  it('auto-approves documentation at low risk', () => {
    expect(can('docs/README.md', 'low')).toBe(true);
    expect(can('docs/BUILD_HISTORY.md', 'low')).toBe(true);
  });
  it('never auto-approves core files', () => {
    for (const f of ['src/autopack/models.py', 'src/autopack/governed_apply.py', 'src/autopack/autonomous_executor.py']) expect(can(f, 'low')).toBe(false);
  });
  it('blocks high and critical risk', () => {
    expect(can('tests/test_foo.py', 'high')).toBe(false);
    expect(can('docs/README.md', 'critical')).toBe(false);
  });
  it('blocks large changes: 100 lines pass, 101 do not', () => {
    expect(can('tests/test_foo.py', 'low', { lines_changed: 150 })).toBe(false);
    expect(can('tests/test_foo.py', 'low', { lines_changed: 100 })).toBe(true);
    expect(can('tests/test_foo.py', 'low', { lines_changed: 101 })).toBe(false);
    expect(decideChange(P, change(['tests/test_a.py'], { diff_stats: { lines_changed: 100 } })).auto_approved).toBe(true);
    expect(decideChange(P, change(['tests/test_a.py'], { diff_stats: { lines_changed: 101 } }))).toMatchObject({ auto_approved: false, tier: 3, reason_codes: ['too_many_lines'] });
  });
  it('blocks unknown paths by default', () => {
    expect(can('src/my_project/foo.py', 'low')).toBe(false);
    expect(can('backend/routes.py', 'low')).toBe(false);
  });
  it("'*' crosses directories: tests/test_dir/deep.py is allowed, tests/unit/test_x.py is not; case matters", () => {
    expect(can('tests/test_dir/deep.py', 'low')).toBe(true);
    expect(can('tests/unit/test_x.py', 'low')).toBe(false);
    expect(can('Tests/test_foo.py', 'low')).toBe(false);
    expect(can('docs/sub/guide.md', 'low')).toBe(true);
    expect(can('DOCS/README.md', 'low')).toBe(false);
  });
  it('the NEVER_AUTO_APPROVE list as the code has it: secrets, config, run artefacts, git', () => {
    for (const f of ['.env', '.env.local', 'config/dev.yaml', 'config/production.yaml', 'config/deep/x.yaml', '.autonomous_runs/r1/plan.json', '.git/config', 'alembic/versions/001.py', 'src/autopack/main.py', 'src/autopack/quality_gate.py']) {
      expect([f, canAutoApprove(P, f, 'low', null).why]).toEqual([f, 'never_auto_approve']);
      expect([f, decideChange(P, change([f])).tier]).toEqual([f, 4]);
    }
  });
});

describe('TestRiskAssessment', () => {
  const level = (p: string) => assessRiskLevel(P, p);
  it('critical, high, low, and medium by default', () => {
    expect(level('src/autopack/models.py')).toBe('critical');
    expect(level('src/autopack/governed_apply.py')).toBe('critical');
    expect(level('alembic/versions/001_migration.py')).toBe('critical');
    expect(level('src/autopack/utils.py')).toBe('high');
    expect(level('src/autopack/helpers.py')).toBe('high');
    expect(level('tests/test_foo.py')).toBe('low');
    expect(level('docs/README.md')).toBe('low');
    expect(level('src/my_project/foo.py')).toBe('medium');
  });
  it('a mixed change takes the highest risk of its paths', () => {
    expect(decideChange(P, change(['tests/test_a.py', 'docs/A.md'])).risk_level).toBe('low');
    expect(decideChange(P, change(['tests/test_a.py', 'src/my_project/foo.py'])).risk_level).toBe('medium');
    expect(decideChange(P, change(['docs/A.md', 'src/autopack/utils.py', 'tests/test_a.py'])).risk_level).toBe('high');
    expect(decideChange(P, change(['docs/A.md', 'src/autopack/models.py', 'src/autopack/utils.py'])).risk_level).toBe('critical');
  });
  it('the effective level is the higher of the declared and the assessed', () => {
    expect(decideChange(P, change(['docs/A.md'], { risk_level: 'medium' })).risk_level).toBe('medium');
    expect(decideChange(P, change(['docs/A.md'], { risk_level: 'HIGH' })).risk_level).toBe('high');
    expect(decideChange(P, change(['src/autopack/models.py'], { risk_level: 'low' })).risk_level).toBe('critical');
  });
});

describe('tiers', () => {
  it('tier 1: allow-listed, low; tier 2: a declared medium the policy lets through, or a large deletion under the hold limit', () => {
    expect(decideChange(P, change(['tests/test_a.py', 'docs/GUIDE.md'], { diff_stats: { lines_changed: 50, lines_removed: 0 } }))).toMatchObject({ tier: 1, auto_approved: true, reason_codes: [] });
    expect(decideChange(P, change(['tests/test_a.py'], { risk_level: 'medium' }))).toMatchObject({ tier: 2, auto_approved: true, reason_codes: ['risk_level_medium'] });
    expect(decideChange(P, change(['tests/test_a.py'], { diff_stats: { lines_changed: 60, lines_removed: 51 } }))).toMatchObject({ tier: 2, reason_codes: ['large_deletion_notify'] });
    expect(decideChange(P, change(['tests/test_a.py'], { diff_stats: { lines_changed: 60, lines_removed: 50 } })).tier).toBe(1);
  });
  it('tier 3: held for a person; a deletion over 200 lines is critical', () => {
    expect(decideChange(P, change(['src/app/x.py']))).toMatchObject({ tier: 3, auto_approved: false, violated_paths: ['src/app/x.py'], reason_codes: ['not_in_allow_list'] });
    expect(decideChange(P, change(['tests/test_a.py'], { diff_stats: { lines_changed: 90, lines_removed: 201 } }))).toMatchObject({ tier: 3, risk_level: 'critical', reason_codes: ['large_deletion'] });
  });
  it('tier 4: a path on the never-auto-approve list, and only those paths are the violated ones', () => {
    expect(decideChange(P, change(['tests/test_a.py', '.env.local']))).toMatchObject({ tier: 4, violated_paths: ['.env.local'], reason_codes: ['never_auto_approve'] });
    expect(decideChange(P, change(['tests/test_a.py', 'src/autopack/models.py', 'src/autopack/utils.py']))).toMatchObject({
      tier: 4, risk_level: 'critical', violated_paths: ['src/autopack/models.py', 'src/autopack/utils.py'], reason_codes: ['never_auto_approve', 'risk_level_high'],
    });
    expect(decideChange(P, change(['tests/test_a.py', 'docs/a.md'], { risk_level: 'high' }))).toMatchObject({ tier: 3, violated_paths: ['tests/test_a.py', 'docs/a.md'], reason_codes: ['risk_level_high'] });
  });
  it('a RiskScorer HIGH holds the change whatever the path rules say (a policy whose weights can reach it)', () => {
    const heavy = { ...P, policy: { ...P.policy, risk_scorer: { ...P.policy.risk_scorer, thresholds: { medium: 0.05, high: 0.075 } } } };
    // 8 files: scope 0.1 * 0.3 = 0.03; 8 directories: min(0.2, 0.1 + 5 * 0.02) * 0.1 = 0.02 -> 0.05, medium;
    // with "refactor" (0.15 * 0.2 = 0.03) 0.08, high
    const eight = Array.from({ length: 8 }, (_, i) => `tests/test_d${i}/t.py`);
    expect(decideChange(heavy, change(eight))).toMatchObject({ auto_approved: true, tier: 2, reason_codes: ['risk_score_medium'] });
    const d = decideChange(heavy, change(eight, { task_category: 'refactor' }));
    expect(d.risk_score.level).toBe('high');
    expect(d).toMatchObject({ auto_approved: false, tier: 3, reason_codes: ['risk_score_high'], violated_paths: eight });
    expect(d.path_checks.every((c) => c.auto_approvable)).toBe(true);
  });
});

describe('TestStructuredError: a held answer carries the protected-path error', () => {
  it('error_type, violated_paths, justification, requires_approval', () => {
    const c = change(['src/autopack/models.py', 'config/settings.py'], { justification: 'Adding new field' });
    const a = answerOf(c, decideChange(P, c), P.digest);
    expect(a).toMatchObject({ error_type: 'protected_path_violation', violated_paths: ['src/autopack/models.py', 'config/settings.py'], justification: 'Adding new field', requires_approval: true });
    expect(a).toMatchObject({ auto_approved: false, approved: null, approved_by: null, risk_level: 'critical', tier: 4 });
    const ok = answerOf(change(['tests/test_new_feature.py']), decideChange(P, change(['tests/test_new_feature.py'])), P.digest);
    expect(ok).toMatchObject({ auto_approved: true, approved: true, approved_by: 'auto', risk_level: 'low', justification: 'No justification provided' });
    expect(ok).not.toHaveProperty('error_type');
  });
});

describe('property: nothing outside the allow-list is ever auto-approved', () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
  const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
  const interesting = fc.constantFrom('tests/test_a.py', 'docs/x.md', 'tests/unit/test_x.py', 'Tests/test_foo.py', '.env.local', 'config/dev.yaml', 'src/autopack/models.py', 'docs/a.MD', 'tests/test_a.pyc');
  const anyPath = fc.oneof(path, interesting, path.map((p) => `tests/${p}`), path.map((p) => `docs/${p}`));
  it('whatever the size, the declared risk or the other paths', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(anyPath, { minLength: 1, maxLength: 30 }),
        fc.option(fc.constantFrom(...LEVELS), { nil: undefined }),
        fc.record({ lines_changed: fc.nat(1000), lines_removed: fc.nat(1000) }),
        (paths, risk, diff) => {
          const d = decideChange(P, change(paths, { risk_level: risk, diff_stats: diff }));
          const outside = paths.filter((p) => !P.allow.has(p) || P.never.has(p));
          if (outside.length) return !d.auto_approved && d.tier >= 3;
          return !d.auto_approved || (diff.lines_changed <= 100 && diff.lines_removed <= 200 && risk !== 'high' && risk !== 'critical');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
