import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { type AttentionInput, type AttentionItem, needsAttention } from './needs-attention.js';
import type { IsoWeek } from './week.js';

/** Sections the review expects; a lever that has not registered one yet shows as "not built yet". */
export const EXPECTED_SECTIONS: ReadonlyArray<{ key: string; title: string; order: number }> = [
  { key: 'go_live', title: 'Control plane', order: 10 },
  { key: 'risk', title: 'Risk', order: 20 },
  { key: 'regression_tripwire', title: 'Tripwires', order: 30 },
  { key: 'heimdall', title: 'Heimdall', order: 40 },
  { key: 'promotion', title: 'Promotion verdicts', order: 45 },
  { key: 'approvals', title: 'Approvals', order: 50 },
  { key: 'gate', title: 'Gate', order: 60 },
];

export interface ReportSection {
  key: string;
  title: string;
  status: 'ok' | 'not_built_yet';
  data: Record<string, unknown> | null;
}

export interface WeeklyReport {
  week: string;
  from: string;
  to: string;
  generated_at: string;
  needs_attention: AttentionItem[];
  sections: ReportSection[];
  jobs: { runs: Array<{ job: string; status: string | null; period_at: string | null; error: string | null }> };
}

export interface ComputedSection {
  key: string;
  title: string;
  order: number;
  data: Record<string, unknown>;
}

/** Assembles the report from the computed sections: expected but absent ones are "not built yet". */
export function assembleReport(week: IsoWeek, generatedAt: Date, computed: ComputedSection[], jobs: WeeklyReport['jobs']): WeeklyReport {
  const byKey = new Map(computed.map((c) => [c.key, c]));
  const all = [...computed, ...EXPECTED_SECTIONS.filter((e) => !byKey.has(e.key))].sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
  const sections: ReportSection[] = all.map((s) => {
    const c = byKey.get(s.key);
    return c ? { key: c.key, title: c.title, status: 'ok', data: c.data } : { key: s.key, title: s.title, status: 'not_built_yet', data: null };
  });
  const input = Object.fromEntries(computed.map((c) => [c.key, c.data])) as AttentionInput;
  return {
    week: week.week,
    from: week.from.toISOString(),
    to: week.to.toISOString(),
    generated_at: generatedAt.toISOString(),
    needs_attention: needsAttention({ ...input, jobs }),
    sections,
    jobs,
  };
}

/** SHA-256 (hex) of the RFC 8785 canonical JSON of the report: the digest stored beside it. */
export function reportDigest(report: unknown): string {
  const text = canonicalize(report);
  if (text === undefined) throw new Error('report is not JSON');
  return createHash('sha256').update(text).digest('hex');
}

/** One Slack-friendly summary of a report (the `review.ready` notification's text). */
export function summaryText(report: WeeklyReport): string {
  const head = `*Weekly review ${report.week}* (${report.from.slice(0, 10)} to ${report.to.slice(0, 10)})`;
  if (report.needs_attention.length === 0) return `${head}: nothing needs attention.`;
  return [`${head}: ${report.needs_attention.length} item(s) need attention`, ...report.needs_attention.map((i) => `• ${i.message}`)].join('\n');
}
