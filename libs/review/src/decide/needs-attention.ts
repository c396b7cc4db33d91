import type { AttentionItem } from '#platform';

/**
 * The review's own "needs attention" rule: a job whose last run failed. Every other item is raised
 * by the section that saw it (its `attention` on @ReviewSection); the report lists theirs first, in
 * section order, then these.
 */
export function jobAttention(runs: ReadonlyArray<{ job: string; status: string | null; error: string | null }>): AttentionItem[] {
  return runs
    .filter((r) => r.status === 'failed')
    .map((r) => ({ kind: 'job_failed', subject: `job:${r.job}`, message: `job ${r.job} failed its last run${r.error ? `: ${r.error}` : ''}`, href: '/console', action: 'See the jobs on Status' }));
}
