import fc from 'fast-check';
import { dailyAtUtc, dueBoundaries, every, lastBoundary, weeklyAtUtc } from './schedule.js';

describe('job schedules', () => {
  it('daily at midnight UTC: the boundary is the start of the UTC day', () => {
    expect(lastBoundary(dailyAtUtc(), new Date('2026-03-04T13:14:15Z')).toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(lastBoundary(dailyAtUtc(), new Date('2026-03-04T00:00:00Z')).toISOString()).toBe('2026-03-04T00:00:00.000Z');
  });

  it('weekly Monday 08:00 UTC lands on Mondays', () => {
    // 2026-11-21 is a Saturday; the last Monday 08:00 is the 16th.
    expect(lastBoundary(weeklyAtUtc('monday', 8), new Date('2026-11-21T10:00:00Z')).toISOString()).toBe('2026-11-16T08:00:00.000Z');
    expect(lastBoundary(weeklyAtUtc('monday', 8), new Date('2026-11-16T07:59:59Z')).toISOString()).toBe('2026-11-09T08:00:00.000Z');
    expect(lastBoundary(weeklyAtUtc('friday', 16), new Date('2026-11-21T10:00:00Z')).toISOString()).toBe('2026-11-20T16:00:00.000Z');
  });

  it('every 5 minutes aligns to the clock', () => {
    expect(lastBoundary(every(5), new Date('2026-01-01T10:07:30Z')).toISOString()).toBe('2026-01-01T10:05:00.000Z');
  });

  it('catches up missed periods oldest first, bounded, and nothing when up to date', () => {
    const now = new Date('2026-03-04T01:00:00Z');
    const due = dueBoundaries(dailyAtUtc(), now, new Date('2026-03-01T00:00:00Z'), 31);
    expect(due.map((d) => d.toISOString().slice(0, 10))).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
    expect(dueBoundaries(dailyAtUtc(), now, new Date('2026-03-04T00:00:00Z'), 31)).toEqual([]);
    expect(dueBoundaries(dailyAtUtc(), now, null, 31).map((d) => d.toISOString())).toEqual(['2026-03-04T00:00:00.000Z']);
    expect(dueBoundaries(dailyAtUtc(), now, new Date('2025-01-01T00:00:00Z'), 2)).toHaveLength(2);
  });

  it('a boundary is never after now and the next one always is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.constantFrom(every(5), dailyAtUtc(), weeklyAtUtc('monday', 8)), (t, s) => {
        const b = lastBoundary(s, new Date(t)).getTime();
        return b <= t && b + s.periodMs > t;
      }),
    );
  });
});
