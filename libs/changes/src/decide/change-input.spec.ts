import { ChangeInputError } from './input-error.js';
import { parseChange, pathProblem } from './change-input.js';

const base = { run_id: 'r1', phase_id: 'p1', paths: ['tests/test_a.py'] };
const codes = (body: unknown) => {
  try {
    parseChange(body);
    return [];
  } catch (e) {
    return (e as ChangeInputError).problems.map((p) => p.code);
  }
};

describe('change input', () => {
  it('reads the issue example', () => {
    expect(parseChange({ ...base, paths: ['tests/test_a.py', 'docs/GUIDE.md'], diff_stats: { lines_changed: 50, lines_removed: 0 }, risk_level: 'medium', justification: '...', task_category: 'refactor', description: '...' })).toEqual({
      run_id: 'r1', phase_id: 'p1', paths: ['tests/test_a.py', 'docs/GUIDE.md'], diff_stats: { lines_changed: 50, lines_removed: 0 }, risk_level: 'medium',
      justification: '...', task_category: 'refactor', description: '...', engine: null,
    });
  });

  it('refuses paths that climb out, absolute paths, NUL, backslashes, non-canonical paths', () => {
    expect(pathProblem('../etc/passwd')?.code).toBe('path_climbs_out');
    expect(pathProblem('tests/../../x')?.code).toBe('path_climbs_out');
    expect(pathProblem('/etc/passwd')?.code).toBe('path_absolute');
    expect(pathProblem('C:/x')?.code).toBe('path_absolute');
    expect(pathProblem('~/x')?.code).toBe('path_absolute');
    expect(pathProblem('tests/test_a.py\u0000.sh')?.code).toBe('path_nul');
    expect(pathProblem('tests/a\nb.py')?.code).toBe('path_control_character');
    expect(pathProblem('tests/test_\\..\\config\\x')?.code).toBe('path_backslash');
    expect(pathProblem('./tests/test_a.py')?.code).toBe('path_not_canonical');
    expect(pathProblem('tests//test_a.py')?.code).toBe('path_not_canonical');
    expect(pathProblem('tests/')?.code).toBe('path_not_canonical');
    expect(pathProblem('x'.repeat(1025))?.code).toBe('path_too_long');
    expect(pathProblem('..foo/x')).toBeNull();
    expect(pathProblem('.env')).toBeNull();
  });

  it('lists every problem, each bad path by index', () => {
    expect(codes({ ...base, paths: ['ok.py', '../x', '/abs', 'a\u0000b', 'ok.py'] })).toEqual(['path_climbs_out', 'path_absolute', 'path_nul', 'path_duplicate']);
    try {
      parseChange({ ...base, paths: ['../x'] });
    } catch (e) {
      expect((e as ChangeInputError).problems).toEqual([{ field: 'paths[0]', code: 'path_climbs_out', problem: "contains '..': a change stays inside the workspace" }]);
    }
  });

  it('bounds the change: no paths, too many paths (checked before any path), unknown fields', () => {
    expect(codes({ ...base, paths: [] })).toEqual(['no_paths']);
    expect(codes({ run_id: 'r', phase_id: 'p' })).toEqual(['no_paths']);
    expect(codes({ ...base, paths: Array.from({ length: 10_000 }, (_, i) => `../${i}`) })).toEqual(['too_many_paths']);
    expect(codes({ ...base, paths: Array.from({ length: 1_000 }, (_, i) => `f${i}.py`) })).toEqual([]);
    expect(codes({ ...base, run_type: 'x' })).toEqual(['unknown_field']);
    expect(codes({ ...base, risk_level: 'severe' })).toEqual(['invalid_risk_level']);
    expect(codes({ ...base, diff_stats: { lines_changed: -1 } })).toEqual(['invalid_diff_stats']);
    expect(codes({ ...base, diff_stats: { lines_added: 3 } })).toEqual(['invalid_diff_stats']);
    expect(codes({ ...base, run_id: '' })).toEqual(['missing_field']);
    expect(codes([])).toEqual(['invalid_change']);
  });
});
