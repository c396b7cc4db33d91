import type { AttentionItem } from '#platform';
import { assembleReport, type ComputedSection, reportDigest, summaryText } from './report.js';
import { parseIsoWeek } from './week.js';

describe('report assembly', () => {
  const week = parseIsoWeek('2026-W48')!;
  const at = new Date('2026-11-30T08:00:00Z');
  const item = (kind: string, subject: string): AttentionItem => ({ kind, subject, message: `${kind} ${subject}` });
  const section = (key: string, order: number, attention: AttentionItem[] = [], data: object = {}): ComputedSection => ({ key, title: key.toUpperCase(), order, data, attention });

  it('orders sections by their declared order (then key), each ok with its data; the review adds none of its own', () => {
    const r = assembleReport(week, at, [section('gamma', 30), section('alpha', 10, [], { peaks: [] }), section('offers', 70), section('beta', 30)], { runs: [] });
    expect(r.sections.map((s) => [s.key, s.title, s.status])).toEqual([
      ['alpha', 'ALPHA', 'ok'],
      ['beta', 'BETA', 'ok'],
      ['gamma', 'GAMMA', 'ok'],
      ['offers', 'OFFERS', 'ok'],
    ]);
    expect(r.sections[0].data).toEqual({ peaks: [] });
    expect(r.from).toBe('2026-11-23T00:00:00.000Z');
    expect(r.to).toBe('2026-11-30T00:00:00.000Z');
    expect(r.generated_at).toBe('2026-11-30T08:00:00.000Z');
  });

  it('needs attention lists each section\u2019s items in section order, then the failed jobs', () => {
    const r = assembleReport(
      week,
      at,
      [section('south', 50, [item('queue_expiring', 'queue')]), section('north', 20, [item('cap_near', 'engine:A'), item('cap_near', 'engine:B')]), section('quiet', 10), section('east', 30, [item('stream_triggered', 'stream:D/m')])],
      { runs: [{ job: 'x', status: 'failed', period_at: null, error: 'boom' }, { job: 'y', status: 'succeeded', period_at: null, error: null }] },
    );
    expect(r.needs_attention.map((i) => [i.kind, i.subject])).toEqual([
      ['cap_near', 'engine:A'],
      ['cap_near', 'engine:B'],
      ['stream_triggered', 'stream:D/m'],
      ['queue_expiring', 'queue'],
      ['job_failed', 'job:x'],
    ]);
  });

  it('stores what was seen, not where it is acted on: a link an item carries stays out of the report', () => {
    const linked: AttentionItem = { ...item('cap_near', 'engine:A'), href: '/console/risk', action: 'Review the caps' };
    const r = assembleReport(week, at, [section('north', 20, [linked])], { runs: [{ job: 'x', status: 'failed', period_at: null, error: null }] });
    expect(r.needs_attention).toEqual([
      { kind: 'cap_near', subject: 'engine:A', message: 'cap_near engine:A' },
      { kind: 'job_failed', subject: 'job:x', message: 'job x failed its last run' },
    ]);
  });

  it('the digest ignores key order and the summary lists what needs attention', () => {
    expect(reportDigest({ a: 1, b: [1, 2] })).toBe(reportDigest({ b: [1, 2], a: 1 }));
    expect(reportDigest({ a: 1 })).not.toBe(reportDigest({ a: 2 }));
    const r = assembleReport(week, at, [], { runs: [{ job: 'x', status: 'failed', period_at: null, error: 'boom' }] });
    expect(summaryText(r)).toBe('*Weekly review 2026-W48* (2026-11-23 to 2026-11-30): 1 item(s) need attention\n• job x failed its last run: boom');
    expect(summaryText(assembleReport(week, at, [section('quiet', 10)], { runs: [] }))).toBe('*Weekly review 2026-W48* (2026-11-23 to 2026-11-30): nothing needs attention.');
  });
});
