import fc from 'fast-check';
import { isoWeekOf, parseIsoWeek, weekEndedBefore } from './week.js';

describe('ISO weeks', () => {
  it('2026-W48 is Monday 23 November to Monday 30 November (UTC)', () => {
    const w = parseIsoWeek('2026-W48')!;
    expect(w.from.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(w.to.toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });

  it('years start on the week holding 4 January; W53 exists only in long years', () => {
    expect(parseIsoWeek('2026-W01')!.from.toISOString()).toBe('2025-12-29T00:00:00.000Z');
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z')).week).toBe('2026-W53');
    expect(parseIsoWeek('2026-W53')!.from.toISOString()).toBe('2026-12-28T00:00:00.000Z');
    expect(parseIsoWeek('2025-W53')).toBeNull();
    expect(isoWeekOf(new Date('2024-12-30T00:00:00Z')).week).toBe('2025-W01');
  });

  it('refuses malformed weeks', () => {
    for (const bad of ['2026-48', '2026-W0', '2026-W00', '2026-W54', '26-W01', '2026-w01', '2026-W1a', ' 2026-W01']) expect(parseIsoWeek(bad)).toBeNull();
  });

  it('the Monday 08:00 job reports the week that ended that Monday 00:00', () => {
    expect(weekEndedBefore(new Date('2026-11-30T08:00:00Z')).week).toBe('2026-W48');
  });

  it('every instant lies in its week, and the week round-trips through its name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (t) => {
        const w = isoWeekOf(new Date(t));
        const back = parseIsoWeek(w.week);
        return w.from.getTime() <= t && t < w.to.getTime() && w.from.getUTCDay() === 1 && back !== null && back.from.getTime() === w.from.getTime();
      }),
    );
  });
});
