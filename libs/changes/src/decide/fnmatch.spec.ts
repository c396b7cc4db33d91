import { readFileSync } from 'node:fs';
import { compileScorerPattern, codePoints, fnmatch, matchCodePoints } from './fnmatch.js';
import { PatternSet } from './pattern-set.js';

/** Python's fnmatch.fnmatch on 2,850 (pattern, path) pairs, recorded by fixtures/fnmatch-oracle.py. */
const oracle = JSON.parse(readFileSync(new URL('./fixtures/fnmatch-oracle.json', import.meta.url), 'utf8')) as { python: string; cases: Array<[string, string, boolean]> };

describe('fnmatch: Python semantics', () => {
  it('agrees with Python fnmatch.fnmatch on every recorded case', () => {
    const wrong = oracle.cases.filter(([pattern, path, expected]) => fnmatch(path, pattern) !== expected);
    expect(wrong).toEqual([]);
    expect(oracle.cases.length).toBeGreaterThan(2000);
  });

  it("'*' matches '/', case matters, the whole path must match", () => {
    expect(fnmatch('tests/test_dir/deep.py', 'tests/test_*.py')).toBe(true);
    expect(fnmatch('tests/unit/test_x.py', 'tests/test_*.py')).toBe(false);
    expect(fnmatch('Tests/test_foo.py', 'tests/test_*.py')).toBe(false);
    expect(fnmatch('tests/test_a.pyc', 'tests/test_*.py')).toBe(false);
    expect(fnmatch('x/tests/test_a.py', 'tests/test_*.py')).toBe(false);
    expect(fnmatch('.env.local', '.env*')).toBe(true);
  });

  it('the same answer through the indexed set, whatever the number of patterns', () => {
    const patterns = [...new Set(oracle.cases.map((c) => c[0]))];
    const paths = [...new Set(oracle.cases.map((c) => c[1]))];
    const set = new PatternSet(patterns);
    for (const path of paths) {
      const expected = oracle.cases.some(([, s, m]) => s === path && m);
      expect([path, set.has(path)]).toEqual([path, expected]);
    }
  });

  it('a pattern built to backtrack is still linear-time', () => {
    const started = process.hrtime.bigint();
    expect(fnmatch('a'.repeat(1000), `${'*a'.repeat(50)}*b`)).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});

describe("the RiskScorer's own match (re.match of the pattern with '*' as '.*')", () => {
  const m = (path: string, pattern: string) => matchCodePoints(compileScorerPattern(pattern), codePoints(path));
  it('is anchored at the start only, and . is any character', () => {
    expect(m('autopack.db', 'autopack.db')).toBe(true);
    expect(m('autopack.db-journal', 'autopack.db')).toBe(true);
    expect(m('autopackXdb', 'autopack.db')).toBe(true);
    expect(m('x/autopack.db', 'autopack.db')).toBe(false);
    expect(m('.git/config', '.git/*')).toBe(true);
    expect(m('alembic/versions/1.py', 'alembic/versions/*')).toBe(true);
    expect(m('src/autopack/models.pyc', 'src/autopack/models.py')).toBe(true);
    expect(m('src/autopack/main.py', 'src/autopack/models.py')).toBe(false);
  });
});
