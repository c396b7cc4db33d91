import fc from 'fast-check';
import { ABSENT_VERSION, controlValue, controlVersion, diffValues } from './change-diff.js';

describe('change-request diffs and versions', () => {
  it('lists exactly the changed fields, sorted, walking nested objects and comparing lists whole', () => {
    const before = { engine: 'W', max_open_risk: '100', mode: 'enforce', limits: { a: 1, b: 2 }, rules: [1, 2] };
    const after = { engine: 'W', max_open_risk: '90', mode: 'enforce', limits: { a: 1, b: 3 }, rules: [2, 1], extra: true };
    expect(diffValues(before, after)).toEqual([
      { path: 'extra', before: null, after: true },
      { path: 'limits.b', before: 2, after: 3 },
      { path: 'max_open_risk', before: '100', after: '90' },
      { path: 'rules', before: [1, 2], after: [2, 1] },
    ]);
    expect(diffValues(null, { a: 1 })).toEqual([{ path: 'a', before: null, after: 1 }]);
  });

  it('no change is no diff; applying the diff to before gives after (flat values)', () => {
    const flat = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null)));
    fc.assert(
      fc.property(flat, flat, (before, after) => {
        expect(diffValues(before, before)).toEqual([]);
        const applied: Record<string, unknown> = { ...before };
        for (const d of diffValues(before, after)) applied[d.path] = d.after;
        const norm = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
        expect(norm(applied)).toEqual(norm(after));
      }),
    );
  });

  it('a version ignores key order and its own field, and moves with any value, bookkeeping included', () => {
    expect(controlVersion(null)).toBe(ABSENT_VERSION);
    const v = controlVersion({ a: 1, b: 'x', updated_at: 't1' });
    expect(controlVersion({ updated_at: 't1', b: 'x', a: 1, control_version: 'whatever' })).toBe(v);
    expect(controlVersion({ a: 1, b: 'x', updated_at: 't2' })).not.toBe(v);
    expect(controlVersion({ a: 2, b: 'x', updated_at: 't1' })).not.toBe(v);
    expect(v).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a value leaves out bookkeeping', () => {
    expect(controlValue({ a: 1, updated_at: 't', updated_by: 'u', control_version: 'v', created_by: 'c', created_at: 't' })).toEqual({ a: 1 });
  });
});
