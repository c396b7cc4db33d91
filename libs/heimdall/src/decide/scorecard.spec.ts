import { gatePolicy, judgeWindow } from './scorecard.js';

const policy = { min_confidence: '0.80', min_trials: 4, min_success_rate: '0.75', prod_use_enabled: true, window_days: 1 };

describe('judgeWindow', () => {
  it('an empty window has no rate and no average, and fails on trials and rate', () => {
    const j = judgeWindow('D', policy, { trials: 0, successes: 0, confidenceSum: '0' }, false);
    expect(j).toMatchObject({ success_rate: null, avg_confidence: null, confidence_sum: '0', prod_eligible: false });
    expect(j.reason_codes).toEqual(['confidence_below_threshold', 'insufficient_sandbox_trials', 'sandbox_success_rate_below_threshold']);
  });

  it('judges confidence at the exact window average: 3.2 / 4 = 0.8 passes a 0.80 threshold', () => {
    const j = judgeWindow('D', policy, { trials: 4, successes: 3, confidenceSum: '3.2' }, false);
    expect(j).toMatchObject({ prod_eligible: true, gate_reason: 'gate_pass', avg_confidence: 0.8, success_rate: 0.75, confidence_sum: '3.2' });
    expect(j.summary).toMatch(/^D: /);
  });

  it('an average a hair below the threshold fails (no rounding up)', () => {
    const j = judgeWindow('D', policy, { trials: 3, successes: 3, confidenceSum: '2.399999999999999999999999999999' }, false);
    expect(j.reason_codes).toContain('confidence_below_threshold');
  });

  it('the kill switch fails an otherwise passing window', () => {
    const j = judgeWindow('D', policy, { trials: 4, successes: 4, confidenceSum: '4' }, true);
    expect(j).toMatchObject({ prod_eligible: false, gate_reason: 'kill_switch_engaged', reason_codes: ['kill_switch_engaged'] });
  });

  it('gatePolicy keeps thresholds as canonical decimals', () => {
    expect(gatePolicy(policy)).toEqual({ minConfidence: '0.8', minTrials: 4, minSuccessRate: '0.75', prodUseEnabled: true, windowDays: 1 });
  });
});
