import { DEFAULT_POLICY, microPilotTriggered, parsePolicy, populationVariance, pySum, scenariosBelowMin } from './thresholds.js';

describe('policy thresholds', () => {
  it("has menace's defaults", () => {
    expect(parsePolicy(undefined)).toEqual({
      raroi_threshold: 1.0,
      confidence_threshold: 0.7,
      scenario_score_min: 0.5,
      sandbox_low: 0.1,
      adapter_high: 1.0,
      max_variance: null,
      scenario_thresholds: [],
    });
    expect(parsePolicy({})).toEqual(DEFAULT_POLICY);
  });

  it('reads sandbox_low/adapter_high before sandbox_roi_low/adapter_roi_high, and numeric strings as float() does', () => {
    expect(parsePolicy({ sandbox_roi_low: 0.2, adapter_roi_high: 2 })).toMatchObject({ sandbox_low: 0.2, adapter_high: 2 });
    expect(parsePolicy({ sandbox_roi_low: 0.2, sandbox_low: 0.3, adapter_high: '1.5' })).toMatchObject({ sandbox_low: 0.3, adapter_high: 1.5 });
    expect(parsePolicy({ max_variance: null, scenario_thresholds: { b: 0.4, a: '0.3' } })).toMatchObject({ max_variance: null, scenario_thresholds: [['b', 0.4], ['a', 0.3]] });
  });
});

describe('scenario statistics', () => {
  it('population variance needs two or more scores', () => {
    expect(populationVariance([])).toBeNull();
    expect(populationVariance([0.7])).toBeNull();
    expect(populationVariance([0.5, 1.0])).toBe(0.0625);
    expect(populationVariance([1, 2, 3, 4])).toBe(1.25); // sample variance would be 1.666...
  });

  it('sums like Python 3.12+ sum() (compensated)', () => {
    expect(pySum([0.1, 0.2, 0.3])).toBe(0.6); // naive left-to-right gives 0.6000000000000001
    expect(pySum([1e100, 1, -1e100])).toBe(1);
  });

  it('micro-pilot trigger is strict on both sides and needs both values', () => {
    expect(microPilotTriggered(0.09, 1.01, DEFAULT_POLICY)).toBe(true);
    expect(microPilotTriggered(0.1, 1.01, DEFAULT_POLICY)).toBe(false);
    expect(microPilotTriggered(0.09, 1.0, DEFAULT_POLICY)).toBe(false);
    expect(microPilotTriggered(null, 2, DEFAULT_POLICY)).toBe(false);
  });

  it('scenario minimums: missing scenarios pass, ties pass', () => {
    const policy = parsePolicy({ scenario_thresholds: { a: 0.5, b: 0.5, c: 0.5 } });
    expect(scenariosBelowMin(new Map([['a', 0.4], ['b', 0.5]]), policy)).toEqual(['a_below_min']);
  });
});
