import { assembleReport, reportDigest, summaryText } from './report.js';
import { parseIsoWeek } from './week.js';

describe('report assembly', () => {
  const week = parseIsoWeek('2026-W48')!;
  const at = new Date('2026-11-30T08:00:00Z');

  it('orders sections and shows expected but unregistered ones as not built yet', () => {
    const r = assembleReport(week, at, [{ key: 'risk', title: 'Risk', order: 20, data: { peaks: [] } }], { runs: [] });
    expect(r.sections.map((s) => [s.key, s.status])).toEqual([
      ['go_live', 'not_built_yet'],
      ['risk', 'ok'],
      ['regression_tripwire', 'not_built_yet'],
      ['heimdall', 'not_built_yet'],
      ['promotion', 'not_built_yet'],
      ['approvals', 'not_built_yet'],
      ['gate', 'not_built_yet'],
    ]);
    expect(r.from).toBe('2026-11-23T00:00:00.000Z');
  });

  it('a section registered by a lever the review does not know yet is kept, in its order', () => {
    const r = assembleReport(week, at, [{ key: 'offers', title: 'Offers', order: 70, data: {} }], { runs: [] });
    expect(r.sections.at(-1)!.key).toBe('offers');
  });

  it('the digest ignores key order and the summary lists what needs attention', () => {
    expect(reportDigest({ a: 1, b: [1, 2] })).toBe(reportDigest({ b: [1, 2], a: 1 }));
    const r = assembleReport(week, at, [], { runs: [{ job: 'x', status: 'failed', period_at: null, error: 'boom' }] });
    expect(summaryText(r)).toBe('*Weekly review 2026-W48* (2026-11-23 to 2026-11-30): 1 item(s) need attention\n• job x failed its last run: boom');
  });
});
