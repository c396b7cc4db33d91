import fc from 'fast-check';
import { DEFAULT_TRUST_PRIOR, trustBlocks, trustEstimate, trustScore } from './trust.js';

const count = fc.integer({ min: 0, max: 10_000 });
const prior = fc.record({ mean: fc.double({ min: 0, max: 1, noNaN: true }), strength: fc.double({ min: 0.1, max: 1000, noNaN: true }) });

describe('trust: Beta-Bernoulli posterior mean with a prior', () => {
  it('is the prior with no evidence, and moves with it', () => {
    expect(trustEstimate(0, 0)).toBeCloseTo(0.8, 12);
    expect(trustEstimate(10, 0)).toBeCloseTo(18 / 20, 12);
    expect(trustEstimate(0, 6)).toBeCloseTo(8 / 16, 12);
    expect(trustEstimate(0, 7)).toBeCloseTo(8 / 17, 12);
    expect(trustBlocks(trustEstimate(0, 6), 0.5)).toBe(false); // exactly 0.5 passes
    expect(trustBlocks(trustEstimate(0, 7), 0.5)).toBe(true);
  });

  it('a violation never raises the score', () => {
    fc.assert(fc.property(count, count, prior, (a, v, p) => trustEstimate(a, v + 1, p) <= trustEstimate(a, v, p)));
  });

  it('more allowed outcomes never lower the score', () => {
    fc.assert(fc.property(count, count, prior, (a, v, p) => trustEstimate(a + 1, v, p) >= trustEstimate(a, v, p)));
  });

  it('stays in [0, 1] and between the prior and the observed rate', () => {
    fc.assert(
      fc.property(count, count, prior, (a, v, p) => {
        const s = trustEstimate(a, v, p);
        if (s < 0 || s > 1) return false;
        if (a + v === 0) return Math.abs(s - p.mean) < 1e-12;
        const rate = a / (a + v);
        return s >= Math.min(rate, p.mean) - 1e-12 && s <= Math.max(rate, p.mean) + 1e-12;
      }),
    );
  });

  it('an override wins while set; the estimate is still reported', () => {
    expect(trustScore({ allowed: 100, violations: 0, override: 0.2 })).toEqual({ score: 0.2, estimate: trustEstimate(100, 0), source: 'override' });
    expect(trustScore({ allowed: 0, violations: 0, override: null }, DEFAULT_TRUST_PRIOR).source).toBe('evidence');
  });

  it('refuses negative or fractional counts', () => {
    expect(() => trustEstimate(-1, 0)).toThrow(RangeError);
    expect(() => trustEstimate(0, 1.5)).toThrow(RangeError);
  });
});
