import fc from 'fast-check';
import { applyMode, combineSteps, simulateVerdict, type StepOutcome } from './combine.js';
import { VERDICTS, type Verdict } from './strings.js';

const RANK: Record<Verdict, number> = { allow: 0, dry_run: 1, require_approval: 2, block: 3 };
const verdict = fc.constantFrom(...VERDICTS);
const step = fc.record({ step: fc.constantFrom('go_live', 'policy', 'risk', 'heimdall', 'tripwire', 'trust' as const), verdict, reason_codes: fc.array(fc.constantFrom('a', 'b', 'c')) }) as fc.Arbitrary<StepOutcome>;

describe('combineSteps: the strictest verdict wins', () => {
  it('is the maximum verdict, whatever the order, with every reason code', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), (steps) => {
        const c = combineSteps(steps);
        const max = steps.reduce<Verdict>((m, s) => (RANK[s.verdict] > RANK[m] ? s.verdict : m), 'allow');
        expect(c.verdict).toBe(max);
        expect(combineSteps([...steps].reverse())).toEqual(c);
        expect(c.reason_codes).toEqual([...new Set(steps.flatMap((s) => s.reason_codes))].sort());
      }),
    );
  });

  it('block beats require_approval beats dry_run beats allow', () => {
    const s = (v: Verdict): StepOutcome => ({ step: 'policy', verdict: v, reason_codes: [] });
    expect(combineSteps([s('allow'), s('dry_run')]).verdict).toBe('dry_run');
    expect(combineSteps([s('require_approval'), s('dry_run')]).verdict).toBe('require_approval');
    expect(combineSteps([s('require_approval'), s('block'), s('allow')]).verdict).toBe('block');
    expect(combineSteps([]).verdict).toBe('allow');
  });
});

describe('applyMode', () => {
  it('observe never acts and says what it would have done', () => {
    fc.assert(
      fc.property(verdict, (v) => {
        const r = applyMode('observe', v, ['x']);
        expect(RANK[r.verdict]).toBeLessThanOrEqual(RANK.dry_run);
        expect(r.would_have).toBe(v === 'block' || v === 'require_approval' ? v : null);
      }),
    );
    expect(applyMode('observe', 'block', ['x'])).toEqual({ verdict: 'allow', reason_codes: ['observe_mode_non_enforcing', 'simulated_block', 'x'], would_have: 'block' });
  });

  it('dry_run turns an act into dry_run; enforce keeps the verdict', () => {
    expect(applyMode('dry_run', 'require_approval', [])).toEqual({ verdict: 'dry_run', reason_codes: ['dry_run_mode', 'simulated_require_approval'], would_have: 'require_approval' });
    expect(applyMode('dry_run', 'allow', ['m']).verdict).toBe('allow');
    fc.assert(fc.property(verdict, (v) => applyMode('enforce', v, []).verdict === v));
  });
});

describe('simulateVerdict', () => {
  it('never blocks; reports what it would have done as gait does', () => {
    expect(simulateVerdict('block', ['x'])).toEqual({ verdict: 'allow', reason_codes: ['simulate_mode_non_enforcing', 'simulated_block', 'x'], would_have: 'block' });
    expect(simulateVerdict('dry_run', [])).toEqual({ verdict: 'dry_run', reason_codes: ['simulate_mode_non_enforcing'], would_have: null });
    fc.assert(fc.property(verdict, (v) => simulateVerdict(v, []).verdict !== 'block' && simulateVerdict(v, []).verdict !== 'require_approval'));
  });
});
