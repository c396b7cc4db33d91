import fc from 'fast-check';
import { evaluateGates, GateReason, type GateInput, summarize } from './gates.js';
import { normalizeRatio } from './ratio.js';

const passing: GateInput = {
  policy: { minConfidence: '0.92', minTrials: 75, minSuccessRate: '0.82', prodUseEnabled: true, windowDays: 1 },
  window: { trials: 80, successes: 70 },
  confidence: '0.95',
  killSwitchEngaged: false,
};

const gate = (input: GateInput, name: string) => evaluateGates(input).gates.find((g) => g.gate === name)!;

describe('Heimdall gate stacking', () => {
  it('all gates passing gives gate_pass and every gate reported as passed', () => {
    const d = evaluateGates(passing);
    expect(d).toMatchObject({ prod_eligible: true, gate_reason: 'gate_pass', reason_codes: [] });
    expect(d.gates.map((g) => g.gate)).toEqual(['prod_use_enabled', 'min_confidence', 'min_sandbox_trials', 'min_sandbox_success_rate', 'kill_switch_released']);
    expect(d.gates.every((g) => g.passed && g.shortfall === 0)).toBe(true);
  });

  it('each gate failing alone gives its own gate_reason', () => {
    const cases: Array<[Partial<GateInput> & { policy?: GateInput['policy'] }, string]> = [
      [{ policy: { ...passing.policy, prodUseEnabled: false } }, GateReason.ProdUseDisabled],
      [{ confidence: '0.91' }, GateReason.ConfidenceBelowThreshold],
      [{ window: { trials: 74, successes: 74 } }, GateReason.InsufficientSandboxTrials],
      [{ window: { trials: 80, successes: 65 } }, GateReason.SandboxSuccessRateBelowThreshold],
      [{ killSwitchEngaged: true }, GateReason.KillSwitchEngaged],
    ];
    for (const [change, reason] of cases) {
      const d = evaluateGates({ ...passing, ...change });
      expect(d).toMatchObject({ prod_eligible: false, gate_reason: reason, reason_codes: [reason] });
    }
  });

  it('prod_use disabled fails first whatever else fails', () => {
    const d = evaluateGates({
      policy: { ...passing.policy, prodUseEnabled: false },
      window: { trials: 1, successes: 0 },
      confidence: '0.1',
      killSwitchEngaged: true,
    });
    expect(d.gate_reason).toBe('prod_use_disabled');
    expect(d.reason_codes).toEqual([
      'prod_use_disabled',
      'confidence_below_threshold',
      'insufficient_sandbox_trials',
      'sandbox_success_rate_below_threshold',
      'kill_switch_engaged',
    ]);
  });

  it('says how far each gate is from passing', () => {
    const input: GateInput = { ...passing, window: { trials: 63, successes: 50 }, confidence: '0.9' };
    expect(gate(input, 'min_sandbox_trials')).toMatchObject({ actual: 63, required: 75, shortfall: 12, passed: false });
    expect(gate(input, 'min_sandbox_trials').distance).toMatch(/^12 more trials/);
    const rate = gate(input, 'min_sandbox_success_rate');
    expect(rate.distance).toMatch(/^success rate 0\.79 of 0\.82 \(\d+ more successes in a row\)$/);
    // (50 + n) / (63 + n) >= 0.82  <=>  n >= 9.39
    expect(rate.shortfall).toBe(10);
    expect(gate(input, 'min_confidence')).toMatchObject({ actual: 0.9, required: 0.92, shortfall: 0.02, distance: 'confidence 0.90 of 0.92 (0.02 short)' });
    expect(gate({ ...input, window: { trials: 74, successes: 74 } }, 'min_sandbox_trials').distance).toMatch(/^1 more trial \(/);
  });

  it('a failing rate is never displayed as the threshold', () => {
    // 0.8199... would round to 0.82
    const g = gate({ ...passing, window: { trials: 10000, successes: 8199 } }, 'min_sandbox_success_rate');
    expect(g.passed).toBe(false);
    expect(g.distance).toMatch(/^success rate 0\.81 of 0\.82/);
  });

  it('no confidence and no trials fail closed', () => {
    const d = evaluateGates({ ...passing, window: { trials: 0, successes: 0 }, confidence: null });
    expect(d.reason_codes).toEqual(['confidence_below_threshold', 'insufficient_sandbox_trials', 'sandbox_success_rate_below_threshold']);
  });

  it('summarizes a domain in one line', () => {
    expect(summarize('X', evaluateGates(passing))).toBe('X: production-eligible (every gate passes)');
    expect(summarize('X', evaluateGates({ ...passing, window: { trials: 63, successes: 63 } }))).toMatch(/^X: not eligible \(insufficient_sandbox_trials\) — 12 more trials/);
  });

  const ratio = fc.integer({ min: 0, max: 1000 }).map((n) => normalizeRatio(n / 1000)!);
  const arbitraryInput = fc
    .record({
      minConfidence: ratio,
      minTrials: fc.integer({ min: 0, max: 200 }),
      minSuccessRate: ratio,
      prodUseEnabled: fc.boolean(),
      windowDays: fc.integer({ min: 1, max: 30 }),
      a: fc.integer({ min: 0, max: 300 }),
      b: fc.integer({ min: 0, max: 300 }),
      confidence: ratio,
      killSwitchEngaged: fc.boolean(),
    })
    .map(({ a, b, confidence, killSwitchEngaged, ...policy }) => ({
      policy,
      window: { trials: Math.max(a, b), successes: Math.min(a, b) },
      confidence,
      killSwitchEngaged,
    }));

  it('eligible iff every gate passes; gate_reason is the first failing gate', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const d = evaluateGates(input);
        const firstFailing = d.gates.find((g) => !g.passed);
        return d.prod_eligible === d.gates.every((g) => g.passed) && d.gate_reason === (firstFailing?.reason_code ?? 'gate_pass');
      }),
    );
  });

  it('prod_use disabled or the kill switch engaged is never eligible', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const off = evaluateGates({ ...input, policy: { ...input.policy, prodUseEnabled: false } });
        const killed = evaluateGates({ ...input, killSwitchEngaged: true });
        return !off.prod_eligible && off.gate_reason === 'prod_use_disabled' && !killed.prod_eligible;
      }),
    );
  });

  it('eligibility is monotone: more successes, more confidence or lower thresholds never revoke it', () => {
    fc.assert(
      fc.property(arbitraryInput, fc.integer({ min: 1, max: 50 }), ratio, (input, more, otherConfidence) => {
        if (!evaluateGates(input).prod_eligible) return true;
        const { trials, successes } = input.window;
        const higher = Number(otherConfidence) >= Number(input.confidence) ? otherConfidence : input.confidence!;
        return (
          evaluateGates({ ...input, window: { trials: trials + more, successes: successes + more } }).prod_eligible &&
          evaluateGates({ ...input, confidence: higher }).prod_eligible &&
          evaluateGates({ ...input, policy: { ...input.policy, minTrials: Math.max(0, input.policy.minTrials - more) } }).prod_eligible &&
          evaluateGates({ ...input, policy: { ...input.policy, minConfidence: '0', minSuccessRate: '0' } }).prod_eligible
        );
      }),
    );
  });

  it('the trials shortfall, once recorded as successes, closes the trials gate', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const g = evaluateGates(input).gates.find((x) => x.gate === 'min_sandbox_trials')!;
        const n = g.shortfall!;
        const after = evaluateGates({ ...input, window: { trials: input.window.trials + n, successes: input.window.successes + n } });
        return after.gates.find((x) => x.gate === 'min_sandbox_trials')!.passed;
      }),
    );
  });
});
