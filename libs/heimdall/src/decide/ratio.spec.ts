import fc from 'fast-check';
import { normalizeRatio, rateMeets, ratioGte, successesInARowNeeded } from './ratio.js';

describe('ratios', () => {
  it('keeps the decimal the client meant, in canonical form', () => {
    expect(normalizeRatio(0.1)).toBe('0.1');
    expect(normalizeRatio('0.90')).toBe('0.9');
    expect(normalizeRatio(' 0.925 ')).toBe('0.925');
    expect(normalizeRatio(1)).toBe('1');
    expect(normalizeRatio('1.000')).toBe('1');
    expect(normalizeRatio(0)).toBe('0');
    expect(normalizeRatio('0.000')).toBe('0');
    expect(normalizeRatio(1e-7)).toBe('0.0000001');
    expect(normalizeRatio(0.8734219312345678)).toBe('0.8734219312345678');
  });

  it('cuts a number below 1e-30 down, never up', () => {
    expect(normalizeRatio(1e-31)).toBe('0');
    expect(normalizeRatio(1.9e-30)).toBe('0.000000000000000000000000000001');
  });

  it('rejects anything outside [0, 1] or not a plain decimal', () => {
    for (const bad of [-0.01, 1.0001, '1.5', '-0', '-0.1', 'abc', '', '0.1e2', '.5', Infinity, NaN, null, true, {}, '0.' + '1'.repeat(31)]) {
      expect(normalizeRatio(bad)).toBeUndefined();
    }
  });

  it('compares exactly where floats would not', () => {
    expect(ratioGte('0.82', '0.82')).toBe(true);
    expect(ratioGte('0.819999999999999999999999999999', '0.82')).toBe(false);
    // 0.1 + 0.2 style: 41/50 = 0.82 exactly
    expect(rateMeets(41, 50, '0.82')).toBe(true);
    expect(rateMeets(40, 50, '0.82')).toBe(false);
    expect(rateMeets(0, 0, '0.82')).toBe(false);
    expect(rateMeets(0, 0, '0')).toBe(true);
  });

  it('successes in a row needed is the least n that lifts the rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 999 }),
        (a, b, r) => {
          const trials = Math.max(a, b);
          const successes = Math.min(a, b);
          const rate = normalizeRatio(r / 1000)!;
          const n = successesInARowNeeded(successes, trials, rate);
          if (n === null) return false; // rate < 1 is always reachable
          if (!rateMeets(successes + n, trials + n, rate)) return false;
          return n === 0 || !rateMeets(successes + n - 1, trials + n - 1, rate);
        },
      ),
    );
  });

  it('a rate of 1 with a failure in the window cannot be reached by more successes', () => {
    expect(successesInARowNeeded(9, 10, '1')).toBeNull();
    expect(successesInARowNeeded(10, 10, '1')).toBe(0);
    expect(successesInARowNeeded(0, 0, '1')).toBe(1);
  });
});
