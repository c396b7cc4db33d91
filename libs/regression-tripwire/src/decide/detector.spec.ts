import fc from 'fast-check';
import { detect, type DetectorPolicy, twoProportionPValue } from './detector.js';

const outcomes = (n: number, successes: number): number[] => Array.from({ length: n }, (_, i) => (i < successes ? 1 : 0));

const POLICY: DetectorPolicy = { enabled: true, min_events: 50, max_drop_fraction: 0.2, alpha: 0.01 };

describe('detect (success rates)', () => {
  it('the week-2 drill: 95% baseline, 95% current → ok; 74% current → triggered with a tiny p-value', () => {
    const ok = detect({ kind: 'success_rate', baseline: outcomes(150, 143), current: outcomes(50, 48) }, POLICY);
    expect(ok.status).toBe('ok');
    expect(ok.reason).toBe('drop_below_threshold');

    const v = detect({ kind: 'success_rate', baseline: outcomes(200, 190), current: outcomes(50, 37) }, POLICY);
    expect(v).toMatchObject({ status: 'triggered', kind: 'success_rate', reason: 'drop_significant', n_baseline: 200, n_current: 50 });
    expect(v.baseline).toBeCloseTo(0.95, 12);
    expect(v.current).toBeCloseTo(0.74, 12);
    expect(v.drop).toBeCloseTo(0.21 / 0.95, 12);
    // scipy: one-sided pooled z-test for 190/200 vs 37/50
    expect(v.p_value).toBeCloseTo(2.160790828023435e-6, 15);
    expect(v.detail).toMatch(/drop 0\.2211 >= 0\.2, p 2\.16e-6 < alpha 0\.01/);
  });

  it('a drop of exactly the threshold triggers despite binary rounding (0.95 → 0.76 at 0.20)', () => {
    const v = detect({ kind: 'success_rate', baseline: outcomes(200, 190), current: outcomes(50, 38) }, { ...POLICY, alpha: null });
    expect(v.drop! < 0.2).toBe(true); // 0.19999999999999996
    expect(v.status).toBe('triggered');
    expect(v.reason).toBe('drop_exceeds_threshold');
  });

  it('a large drop that is not significant stays ok when alpha is set, and triggers without it', () => {
    // 75% → 60% on 50 vs 200: drop 0.2, p ≈ 0.017
    const input = { kind: 'success_rate' as const, baseline: outcomes(200, 150), current: outcomes(50, 30) };
    const withAlpha = detect(input, POLICY);
    expect(withAlpha.status).toBe('ok');
    expect(withAlpha.reason).toBe('drop_not_significant');
    expect(withAlpha.p_value).toBeCloseTo(0.01730527875785367, 12);
    expect(withAlpha.significant).toBe(false);
    expect(detect(input, { ...POLICY, alpha: null }).status).toBe('triggered');
    expect(detect(input, { ...POLICY, alpha: 0.05 }).status).toBe('triggered');
  });

  it('too few events on either side is insufficient_data, never ok', () => {
    const few = detect({ kind: 'success_rate', baseline: outcomes(200, 190), current: outcomes(49, 49) }, POLICY);
    expect(few).toMatchObject({ status: 'insufficient_data', reason: 'insufficient_current_events', n_current: 49 });
    const fewBase = detect({ kind: 'success_rate', baseline: outcomes(10, 10), current: outcomes(50, 10) }, POLICY);
    expect(fewBase).toMatchObject({ status: 'insufficient_data', reason: 'insufficient_baseline_events' });
    const none = detect({ kind: 'success_rate', baseline: [], current: [] }, POLICY);
    expect(none).toMatchObject({ status: 'insufficient_data', baseline: null, current: null, drop: null, p_value: null });
  });

  it('a disabled policy is disabled whatever the data, with the figures still computed', () => {
    const v = detect({ kind: 'success_rate', baseline: outcomes(200, 190), current: outcomes(50, 10) }, { ...POLICY, enabled: false });
    expect(v.status).toBe('disabled');
    expect(v.reason).toBe('policy_disabled');
    expect(v.drop).toBeGreaterThan(0.7);
  });

  it('all outcomes identical on both sides: p = 1, no trigger', () => {
    expect(twoProportionPValue(200, 200, 50, 50)).toBe(1);
    expect(twoProportionPValue(0, 200, 0, 50)).toBe(1);
    const zero = detect({ kind: 'success_rate', baseline: outcomes(200, 0), current: outcomes(50, 0) }, POLICY);
    expect(zero).toMatchObject({ status: 'ok', drop: 0, p_value: 1 });
  });
});

describe('detect (mean values)', () => {
  it('Welch one-sided p-value matches scipy (ttest_ind equal_var=False, alternative="greater")', () => {
    const current = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const baseline = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const v = detect({ kind: 'mean_value', baseline, current }, { enabled: true, min_events: 10, max_drop_fraction: 0.05, alpha: 0.05 });
    expect(v.p_value).toBeCloseTo(0.010689000731433496, 12);
    expect(v.status).toBe('triggered');
    expect(v.kind).toBe('mean_value');
  });

  it('a negative baseline: lower is still worse (drop relative to |baseline|)', () => {
    const v = detect({ kind: 'mean_value', baseline: [-10, -10, -10, -10], current: [-13, -13, -13, -13] }, { enabled: true, min_events: 2, max_drop_fraction: 0.2, alpha: null });
    expect(v.drop).toBeCloseTo(0.3, 12);
    expect(v.status).toBe('triggered');
    const better = detect({ kind: 'mean_value', baseline: [-10, -10], current: [-5, -5] }, { enabled: true, min_events: 2, max_drop_fraction: 0.2, alpha: null });
    expect(better.drop).toBeCloseTo(-0.5, 12);
    expect(better.status).toBe('ok');
  });

  it('a zero baseline: no division by zero; a fall below it is an unbounded drop reported as null', () => {
    const p = { enabled: true, min_events: 2, max_drop_fraction: 0.3, alpha: null };
    const flat = detect({ kind: 'mean_value', baseline: [0, 0, 0], current: [0, 1, 2] }, p);
    expect(flat).toMatchObject({ status: 'ok', drop: 0 });
    const fell = detect({ kind: 'mean_value', baseline: [1, -1, 0], current: [-1, -2, -3] }, p);
    expect(fell).toMatchObject({ status: 'triggered', drop: null, exceeds_threshold: true });
    expect(fell.detail).toContain('unbounded');
  });

  it('constant windows: p is 0 when the current is lower, 1 when equal; Welch needs two values a side', () => {
    const p = { enabled: true, min_events: 2, max_drop_fraction: 0.1, alpha: 0.01 };
    expect(detect({ kind: 'mean_value', baseline: [5, 5, 5], current: [4, 4, 4] }, p)).toMatchObject({ status: 'triggered', p_value: 0 });
    expect(detect({ kind: 'mean_value', baseline: [5, 5, 5], current: [5, 5, 5] }, p)).toMatchObject({ status: 'ok', p_value: 1 });
    const single = detect({ kind: 'mean_value', baseline: [5], current: [1] }, { ...p, min_events: 1 });
    expect(single).toMatchObject({ status: 'ok', reason: 'drop_not_significant', p_value: null, significant: null });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const finiteValue = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map((i) => i / 1000);
const policyArb = fc.record({
  enabled: fc.boolean(),
  min_events: fc.integer({ min: 1, max: 30 }),
  max_drop_fraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
  alpha: fc.option(fc.double({ min: 1e-4, max: 0.5, noNaN: true }), { nil: null }),
});
const values = fc.array(finiteValue, { minLength: 0, maxLength: 60 });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('detector properties', () => {
  it('scaling every value by c > 0 leaves the verdict unchanged', () => {
    fc.assert(
      fc.property(values, values, policyArb, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (baseline, current, policy, c) => {
        const a = detect({ kind: 'mean_value', baseline, current }, policy);
        const b = detect({ kind: 'mean_value', baseline: baseline.map((x) => x * c), current: current.map((x) => x * c) }, policy);
        expect(b.status).toBe(a.status);
        expect(b.reason).toBe(a.reason);
        // The figures agree up to rounding where the means are well conditioned (a mean near 0 from
        // large values of both signs is cancellation noise in its last digits, scaled or not).
        const magnitude = Math.max(1e-300, ...baseline.map(Math.abs), ...current.map(Math.abs));
        if (a.drop !== null && Math.abs(a.baseline!) > 1e-3 * magnitude) {
          expect(Math.abs(b.drop! - a.drop)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a.drop)));
        }
        if (a.p_value !== null && b.p_value !== null) expect(Math.abs(b.p_value - a.p_value)).toBeLessThanOrEqual(1e-6);
      }),
      { numRuns: 500 },
    );
  });

  it('scaling by a power of two (exact in binary floating point) leaves every figure identical', () => {
    fc.assert(
      fc.property(values, values, policyArb, fc.integer({ min: -20, max: 20 }), (baseline, current, policy, k) => {
        const c = 2 ** k;
        const a = detect({ kind: 'mean_value', baseline, current }, policy);
        const b = detect({ kind: 'mean_value', baseline: baseline.map((x) => x * c), current: current.map((x) => x * c) }, policy);
        expect({ ...b, baseline: b.baseline === null ? null : b.baseline / c, current: b.current === null ? null : b.current / c, detail: '' }).toEqual({
          ...a,
          detail: '',
        });
      }),
      { numRuns: 500 },
    );
  });

  it('a current window no worse than the baseline never triggers (values)', () => {
    fc.assert(
      fc.property(fc.array(finiteValue, { minLength: 1, maxLength: 60 }), fc.array(finiteValue, { minLength: 1, maxLength: 60 }), policyArb, (baseline, raw, policy) => {
        // Shift the current window up until its mean is at least the baseline's.
        const shift = Math.max(0, mean(baseline) - mean(raw));
        const current = raw.map((x) => x + shift * 1.000001 + 1e-6);
        fc.pre(mean(current) >= mean(baseline));
        expect(detect({ kind: 'mean_value', baseline, current }, policy).status).not.toBe('triggered');
      }),
      { numRuns: 500 },
    );
  });

  it('a current success rate no worse than the baseline never triggers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), policyArb, (nb, nc, rb, lift, policy) => {
        const sb = Math.round(rb * nb);
        // current rate >= baseline rate
        const minSc = Math.ceil((sb * nc) / nb);
        const sc = Math.min(nc, minSc + Math.round(lift * (nc - minSc)));
        fc.pre(sc / nc >= sb / nb);
        expect(detect({ kind: 'success_rate', baseline: outcomes(nb, sb), current: outcomes(nc, sc) }, policy).status).not.toBe('triggered');
      }),
      { numRuns: 500 },
    );
  });

  it('fewer than min_events on either side is never ok (nor triggered)', () => {
    fc.assert(
      fc.property(values, values, policyArb, fc.constantFrom('success_rate' as const, 'mean_value' as const), (baseline, current, policy, kind) => {
        const input = kind === 'success_rate' ? { kind, baseline: baseline.map((x) => (x > 0 ? 1 : 0)), current: current.map((x) => (x > 0 ? 1 : 0)) } : { kind, baseline, current };
        const v = detect(input, policy);
        if (baseline.length < policy.min_events || current.length < policy.min_events) {
          expect(['insufficient_data', 'disabled']).toContain(v.status);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a verdict is consistent: triggered only when enabled, enough data, over the threshold and (with alpha) significant; no NaN or Infinity', () => {
    fc.assert(
      fc.property(values, values, policyArb, (baseline, current, policy) => {
        const v = detect({ kind: 'mean_value', baseline, current }, policy);
        for (const x of [v.baseline, v.current, v.drop, v.p_value]) if (x !== null) expect(Number.isFinite(x)).toBe(true);
        if (v.p_value !== null) expect(v.p_value >= 0 && v.p_value <= 1).toBe(true);
        if (!policy.enabled) expect(v.status).toBe('disabled');
        if (v.status === 'triggered') {
          expect(v.exceeds_threshold).toBe(true);
          expect(v.n_current).toBeGreaterThanOrEqual(policy.min_events);
          expect(v.n_baseline).toBeGreaterThanOrEqual(policy.min_events);
          if (policy.alpha !== null) expect(v.p_value!).toBeLessThan(policy.alpha);
        }
      }),
      { numRuns: 500 },
    );
  });
});
