import fc from 'fast-check';
import { applyForesight, FORESIGHT_REASONS, foresight, type ForesightDay, type ForesightInput, type ReviewVerdict, VERDICT_RANK } from './foresight.js';

const WEEK = '2026-12-11'; // a Friday: the week is 2026-12-04 .. 2026-12-10
const dayOf = (i: number) => new Date(Date.UTC(2026, 11, 4 + i)).toISOString().slice(0, 10);
/** Seven days of 100 trials at the given success rates (null: no trial that day), confidence 0.9. */
const week = (rates: Array<number | null>, confidence = 0.9): ForesightDay[] =>
  rates.flatMap((r, i) => (r === null ? [] : [{ day: dayOf(i), trials: 100, successes: Math.round(r * 100), confidenceSum: 100 * confidence }]));
const input = (days: ForesightDay[], extra: Partial<ForesightInput> = {}): ForesightInput => ({ domain: 'PRICING', week: WEEK, days, minSuccessRate: 0.8, tripwires: [], ...extra });

describe('foresight (menace foresight gate, Warden trend)', () => {
  it('a steady domain above its bar is safe; projections carry menace CycleProjection fields for 5 cycles', () => {
    const r = foresight(input(week([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9])));
    expect(r.safe).toBe(true);
    expect(r.reason_codes).toEqual([]);
    expect(r.forecast.projections).toHaveLength(5);
    expect(r.forecast.projections[0]).toEqual({ cycle: 1, roi: 0.1, risk: 0, confidence: 0.9, decay: 0 });
    expect(r.forecast.confidence).toBe(0.9);
    expect(r.forecast.upgrade_id).toBe('promotion:PRICING:2026-12-11');
    expect(r.collapse).toEqual({ risk: 'Stable', crossing_cycle: null, brittle: [] });
  });

  it('a falling rate that crosses the bar within the horizon: projected_roi_below_threshold and roi_collapse_risk, with the line that says why', () => {
    // 0.96 falling 0.02 a day: 0.84 on Thursday, under 0.8 by the third cycle.
    const r = foresight(input(week([0.96, 0.94, 0.92, 0.9, 0.88, 0.86, 0.84])));
    expect(r.safe).toBe(false);
    expect(r.reason_codes).toEqual([FORESIGHT_REASONS.roi, FORESIGHT_REASONS.collapse]);
    expect(r.trend).toMatchObject({ slope: -0.02, intercept: 0.16, observed_days: 7, latest_margin: 0.04 });
    expect(r.collapse).toMatchObject({ risk: 'Collapse risk', crossing_cycle: 3 });
    expect(r.forecast.projections.map((p) => p.roi)).toEqual([0.02, 0, -0.02, -0.04, -0.06]);
    expect(r.forecast.projections.every((p) => p.decay === 0.02)).toBe(true);
  });

  it('crossing on the first cycle is menace\'s "Immediate collapse risk"', () => {
    const r = foresight(input(week([0.9, 0.88, 0.86, 0.84, 0.83, 0.82, 0.8])));
    expect(r.collapse.risk).toBe('Immediate collapse risk');
    expect(r.collapse.crossing_cycle).toBe(1);
  });

  it('low confidence: few days with trials, or low trial confidence (threshold 0.6)', () => {
    expect(foresight(input(week([null, null, null, 0.95, 0.95, 0.95, 0.95]))).reason_codes).toEqual([FORESIGHT_REASONS.confidence]); // 0.9 × 4/7 = 0.514
    expect(foresight(input(week([0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95], 0.5))).reason_codes).toEqual([FORESIGHT_REASONS.confidence]);
    expect(foresight(input(week([0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95], 0.5), { confidence_threshold: 0.4 })).safe).toBe(true);
  });

  it('a brittle tripwire (ok, but its KPI already dropped half the way to tripping) is a collapse risk', () => {
    const steady = week([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]);
    const r = foresight(input(steady, { tripwires: [{ metric: 'ctr', status: 'ok', drop: 0.12, max_drop_fraction: 0.2 }, { metric: 'aov', status: 'ok', drop: 0.05, max_drop_fraction: 0.2 }] }));
    expect(r.reason_codes).toEqual([FORESIGHT_REASONS.collapse]);
    expect(r.collapse).toEqual({ risk: 'Collapse risk', crossing_cycle: null, brittle: ['ctr'] });
  });

  it('thresholds and horizon: roi_threshold raises the bar; the horizon is clamped to 3..5 as menace clamps it', () => {
    expect(foresight(input(week([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]), { roi_threshold: 0.15 })).reason_codes).toEqual([FORESIGHT_REASONS.roi]);
    expect(foresight(input(week([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]), { horizon: 9 })).forecast.projections).toHaveLength(5);
    expect(foresight(input(week([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]), { horizon: 1 })).forecast.projections).toHaveLength(3);
  });

  it('applyForesight: a failed forecast makes promote borderline (review configured) or pilot; nothing else changes', () => {
    const failed = foresight(input(week([0.96, 0.94, 0.92, 0.9, 0.88, 0.86, 0.84])));
    const safe = foresight(input(week([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9])));
    expect(applyForesight('promote', failed, true)).toBe('borderline');
    expect(applyForesight('promote', failed, false)).toBe('pilot');
    expect(applyForesight('promote', safe, true)).toBe('promote');
    for (const v of ['demote', 'pilot', 'no_go'] as const) expect(applyForesight(v, failed, true)).toBe(v);
  });

  it('property: the gate only ever downgrades a verdict, never upgrades one', () => {
    const verdicts: ReviewVerdict[] = ['promote', 'demote', 'pilot', 'no_go', 'borderline'];
    const day = fc.record({ trials: fc.integer({ min: 0, max: 500 }), rate: fc.double({ min: 0, max: 1, noNaN: true }), conf: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(
        fc.constantFrom(...verdicts),
        fc.array(fc.option(day, { nil: null }), { minLength: 7, maxLength: 7 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.record({ status: fc.constantFrom('ok', 'triggered', 'insufficient_data'), drop: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: null }), max: fc.double({ min: 0, max: 1, noNaN: true }) }), { maxLength: 4 }),
        fc.boolean(),
        (verdict, ds, bar, tws, review) => {
          const days = ds.flatMap((d, i) => (d === null ? [] : [{ day: dayOf(i), trials: d.trials, successes: Math.round(d.rate * d.trials), confidenceSum: d.conf * d.trials }]));
          const r = foresight(input(days, { minSuccessRate: bar, tripwires: tws.map((t, i) => ({ metric: `m${i}`, status: t.status, drop: t.drop, max_drop_fraction: t.max }) ) }));
          const after = applyForesight(verdict, r, review);
          expect(VERDICT_RANK[after]).toBeLessThanOrEqual(VERDICT_RANK[verdict]);
          if (verdict !== 'promote') expect(after).toBe(verdict);
          if (r.safe) expect(after).toBe(verdict);
          for (const p of r.forecast.projections) for (const v of Object.values(p)) expect(Number.isFinite(v)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
