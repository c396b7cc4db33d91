import { parseChange } from './change-input.js';
import { decideChange } from './decide.js';
import { DEFAULT_POLICY } from './policy.js';
import { scorePhase } from './risk-scorer.js';

const score = (files: string[], spec: { task_category?: string; description?: string } = {}) =>
  scorePhase(DEFAULT_POLICY, { task_category: spec.task_category ?? null, description: spec.description ?? null }, files);

/**
 * Values computed by hand from risk_scorer.py (weights 0.3 / 0.4 / 0.2 / 0.1, LOW < 0.3 <= MEDIUM <
 * 0.6 <= HIGH), each written as the code's float expression so the doubles are Python's own.
 */
describe('RiskScorer.score_phase', () => {
  it('two files in one directory, no category: 0', () => {
    expect(score(['tests/test_a.py', 'tests/test_b.py'])).toEqual({ score: 0, level: 'low', factors: { scope_size: 0, protected_paths: 0, category: 0, cross_cutting: 0 }, reasons: [] });
  });

  it('the issue example: tests/ and docs/ (2 directories), refactor', () => {
    // scope 0; protected 0; "refactor" is a medium category 0.15; 2 directories 0.05
    const s = score(['tests/test_a.py', 'docs/GUIDE.md'], { task_category: 'refactor' });
    expect(s.factors).toEqual({ scope_size: 0, protected_paths: 0, category: 0.15, cross_cutting: 0.05 });
    expect(s.score).toBe(0 * 0.3 + 0 * 0.4 + 0.15 * 0.2 + 0.05 * 0.1);
    expect(s.score).toBeCloseTo(0.035, 12);
    expect(s).toMatchObject({ level: 'low', reasons: [] });
  });

  it('a protected path, a high-risk category found in the description, 4 directories', () => {
    // protected 0.5 (alembic/versions/*); "security" in the description 0.3; 4 dirs > 3: min(0.2, 0.1 + 1 * 0.02) = 0.12
    const s = score(['alembic/versions/001.py', 'src/a/x.py', 'src/b/y.py', 'docs/z.md'], { task_category: 'feature', description: 'Harden SECURITY headers' });
    expect(s.factors).toEqual({ scope_size: 0, protected_paths: 0.5, category: 0.3, cross_cutting: 0.1 + (4 - 3) * 0.02 });
    expect(s.score).toBe(0 * 0.3 + 0.5 * 0.4 + 0.3 * 0.2 + (0.1 + 1 * 0.02) * 0.1);
    expect(s.score).toBeCloseTo(0.272, 12);
    expect(s.level).toBe('low');
    expect(s.reasons).toEqual(['Protected paths modified: alembic/versions/001.py', 'High-risk category: feature', 'Cross-cutting changes: 4 directories affected']);
  });

  it('MEDIUM: 25 files, one protected, database_migration, 12 directories', () => {
    const files = ['autopack.db', ...Array.from({ length: 24 }, (_, i) => `pkg${i % 12}/f${i}.py`)];
    // scope: 25 > 20: min(0.4, 0.2 + 5 * 0.01) = 0.25; protected 0.5; category 0.3; 12 dirs: min(0.2, 0.1 + 9 * 0.02) = 0.2
    const s = score(files, { task_category: 'database_migration' });
    expect(s.factors).toEqual({ scope_size: 0.2 + 5 * 0.01, protected_paths: 0.5, category: 0.3, cross_cutting: 0.2 });
    expect(s.score).toBe((0.2 + 5 * 0.01) * 0.3 + 0.5 * 0.4 + 0.3 * 0.2 + 0.2 * 0.1);
    expect(s.score).toBeCloseTo(0.355, 12);
    expect(s.level).toBe('medium');
    expect(s.reasons[0]).toBe('Large scope: 25 files (threshold: 20)');
  });

  it("the maximum under Autopack's weights is 0.4: HIGH (>= 0.6) is out of the default policy's reach", () => {
    const files = ['.git/config', ...Array.from({ length: 60 }, (_, i) => `d${i}/f.py`)];
    const s = score(files, { task_category: 'security' });
    expect(s.factors).toEqual({ scope_size: 0.4, protected_paths: 0.5, category: 0.3, cross_cutting: 0.2 });
    expect(s.score).toBeCloseTo(0.4, 12);
    expect(s.level).toBe('medium');
  });

  it('root-level files count no directory; scope bins at 5 and 10', () => {
    expect(score(['a.py', 'b.py', 'c/d.py']).factors.cross_cutting).toBe(0);
    expect(score(Array.from({ length: 6 }, (_, i) => `f${i}.py`)).factors.scope_size).toBe(0.1);
    expect(score(Array.from({ length: 11 }, (_, i) => `f${i}.py`)).factors.scope_size).toBe(0.2);
  });

  it('is part of every decision', () => {
    const d = decideChange(DEFAULT_POLICY, parseChange({ run_id: 'r', phase_id: 'p', paths: ['tests/test_a.py', 'docs/GUIDE.md'], task_category: 'refactor' }));
    expect(d.risk_score.score).toBeCloseTo(0.035, 12);
  });
});
