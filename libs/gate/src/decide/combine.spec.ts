import fc from 'fast-check';
import { applyMode, combineSteps, combineVerdict, simulateVerdict, type StepOutcome, withGrant, withLostGrant, withStep } from './combine.js';
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

describe('the combined verdict after the combination: new values, never edited', () => {
  const s = (step: StepOutcome['step'], verdict: Verdict, reason_codes: string[] = []): StepOutcome => ({ step, verdict, reason_codes });
  const lever = fc.record({ step: fc.constantFrom('go_live', 'risk', 'heimdall', 'tripwire' as const), verdict: fc.constantFrom<Verdict>('allow', 'block'), reason_codes: fc.array(fc.constantFrom('a', 'b')) }) as fc.Arbitrary<StepOutcome>;

  it('combineVerdict is combineSteps with its steps, frozen', () => {
    const steps = [s('go_live', 'allow'), s('policy', 'require_approval', ['p'])];
    const c = combineVerdict(steps);
    expect(c).toEqual({ ...combineSteps(steps), steps });
    expect(Object.isFrozen(c) && Object.isFrozen(c.steps)).toBe(true);
    expect(() => (c.steps as StepOutcome[]).push(s('trust', 'block'))).toThrow();
  });

  it('withStep is the combination with one more step, whatever came before', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 6 }), step, (steps, more) => {
        const before = combineVerdict(steps);
        expect(withStep(before, more)).toEqual(combineVerdict([...steps, more]));
        expect(before).toEqual(combineVerdict(steps)); // untouched
      }),
    );
  });

  it('withGrant: the grant stands in for the policy’s require_approval; the same as combining the restated steps', () => {
    fc.assert(
      fc.property(fc.array(lever, { maxLength: 4 }), fc.constantFrom<Verdict>('allow', 'block'), (levers, trust) => {
        const judged = combineVerdict([s('policy', 'require_approval', ['needs_approval']), ...levers, s('trust', trust)]);
        if (judged.verdict !== 'require_approval') return; // something blocks: no approval phase
        const approval = s('approval', 'allow', ['approval_granted']);
        const granted = withGrant(judged, approval);
        expect(granted.steps[0]).toEqual(s('policy', 'allow', ['needs_approval', 'approval_granted']));
        expect(judged.steps[0].verdict).toBe('require_approval'); // untouched
        expect(granted).toEqual(combineVerdict([...granted.steps]));
        expect(granted.verdict).toBe('allow');
      }),
    );
    expect(() => withGrant(combineVerdict([s('policy', 'allow')]), s('approval', 'allow', ['approval_granted']))).toThrow(/nothing asks for approval/);
  });

  it('withLostGrant: the refusal replaces the approval step; approval_granted stays with the policy step', () => {
    const granted = withGrant(combineVerdict([s('go_live', 'allow'), s('policy', 'require_approval', ['w'])]), s('approval', 'allow', ['approval_granted']));
    const reserved = withStep(granted, s('risk', 'allow'));
    const lost = withLostGrant(reserved, s('approval', 'block', ['approval_already_used']));
    expect(lost.steps.map((x) => [x.step, x.verdict])).toEqual([['go_live', 'allow'], ['policy', 'allow'], ['risk', 'allow'], ['approval', 'block']]);
    expect(lost).toEqual(combineVerdict([...lost.steps]));
    expect(lost.reason_codes).toEqual(['approval_already_used', 'approval_granted', 'w']);
  });
});
