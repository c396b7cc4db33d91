import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { AttentionItem } from '#platform';
import { jobAttention } from './needs-attention.js';
import type { IsoWeek } from './week.js';

export interface ReportSection {
  key: string;
  title: string;
  /**
   * Always 'ok' in a report written now: every declared section is in it (discovery registers
   * them all at start). Reports are never rewritten, so ones stored before the sections were
   * discovered may still hold 'not_built_yet' sections with no data; the page says so.
   */
  status: 'ok' | 'not_built_yet';
  /** The section's own JSON, typed by its lever (`<lever>-review.render.ts`); the review reads none of it. */
  data: object | null;
}

export interface WeeklyReport {
  week: string;
  from: string;
  to: string;
  generated_at: string;
  needs_attention: AttentionItem[];
  sections: ReportSection[];
  jobs: { runs: Array<{ job: string; status: string | null; period_at: string | null; error: string | null }> };
  /**
   * The weekly checkpoint (docs/audit.md): each hash chain's head when the report was written, so
   * the record up to here can be checked later against this published report (`warden audit verify
   * --checkpoint`). Absent in reports written before the chains existed.
   */
  audit_chain?: { heads: Array<{ log: string; rows: number; head_hash: string }> };
}

/** One section as computed for the week, with the attention items its lever raised from that data. */
export interface ComputedSection {
  key: string;
  title: string;
  order: number;
  data: object;
  attention: AttentionItem[];
}

/**
 * Assembles the report: sections by `order` (then key), and "needs attention" as every section's
 * items in that order, then the jobs whose last run failed.
 */
export function assembleReport(
  week: IsoWeek,
  generatedAt: Date,
  computed: ComputedSection[],
  jobs: WeeklyReport['jobs'],
  auditHeads: NonNullable<WeeklyReport['audit_chain']>['heads'] = [],
): WeeklyReport {
  const ordered = [...computed].sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
  return {
    week: week.week,
    from: week.from.toISOString(),
    to: week.to.toISOString(),
    generated_at: generatedAt.toISOString(),
    // The stored item is what was seen; where it is acted on is the page's to say (AttentionItem.href).
    needs_attention: [...ordered.flatMap((s) => s.attention), ...jobAttention(jobs.runs)].map(({ kind, subject, message }) => ({ kind, subject, message })),
    sections: ordered.map((s) => ({ key: s.key, title: s.title, status: 'ok', data: s.data })),
    jobs,
    audit_chain: { heads: auditHeads },
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
