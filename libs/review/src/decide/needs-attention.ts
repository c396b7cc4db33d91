/**
 * "Needs attention": the short list an operator acts on first, computed from the report's sections
 * alone. It reads only these documented fields of the sections (each lever's review service
 * produces them); a section that is absent or not built yet contributes nothing.
 */
export interface AttentionInput {
  risk?: { peaks?: Array<{ engine: string; max_loss_ratio: string | null; max_loss_day: string | null }> };
  regression_tripwire?: { current_states?: Array<{ domain: string; metric: string; status: string; action: string | null }> };
  promotion?: { domains?: Array<{ domain: string | null; latest_verdict: string; reason_codes?: Array<{ reason_code: string }> }> };
  approvals?: { expiring_within_24h?: number; pending_now?: number };
  jobs?: { runs?: Array<{ job: string; status: string | null; error: string | null }> };
}

export interface AttentionItem {
  kind: 'loss_cap_near' | 'tripwire_triggered' | 'promotion_demoted' | 'approvals_expiring' | 'job_failed';
  subject: string;
  message: string;
}

/** An engine whose realized loss reached this share of its daily loss cap on some day. */
export const LOSS_CAP_ATTENTION_RATIO = 0.8;

export function needsAttention(sections: AttentionInput): AttentionItem[] {
  const items: AttentionItem[] = [];
  for (const p of sections.risk?.peaks ?? []) {
    if (p.max_loss_ratio !== null && Number(p.max_loss_ratio) >= LOSS_CAP_ATTENTION_RATIO) {
      const pct = Math.round(Number(p.max_loss_ratio) * 100);
      items.push({ kind: 'loss_cap_near', subject: `engine:${p.engine}`, message: `${p.engine} reached ${pct}% of its daily loss cap on ${p.max_loss_day}` });
    }
  }
  for (const s of sections.regression_tripwire?.current_states ?? []) {
    if (s.status === 'triggered') {
      items.push({ kind: 'tripwire_triggered', subject: `tripwire:${s.domain}/${s.metric}`, message: `tripwire ${s.domain}/${s.metric} is still triggered${s.action ? ` (${s.action})` : ''}` });
    }
  }
  // A domain whose newest verdict of the week is a demotion (decisions without a domain name nothing to act on).
  for (const d of sections.promotion?.domains ?? []) {
    if (d.domain !== null && d.latest_verdict === 'demote') {
      const codes = (d.reason_codes ?? []).map((r) => r.reason_code);
      items.push({ kind: 'promotion_demoted', subject: `promotion:${d.domain}`, message: `${d.domain} was demoted by its latest promotion verdict${codes.length ? ` (${codes.join(', ')})` : ''}` });
    }
  }
  const expiring = sections.approvals?.expiring_within_24h ?? 0;
  if (expiring > 0) {
    items.push({ kind: 'approvals_expiring', subject: 'approvals', message: `${expiring} pending approval${expiring === 1 ? '' : 's'} expire${expiring === 1 ? 's' : ''} within 24 h` });
  }
  for (const r of sections.jobs?.runs ?? []) {
    if (r.status === 'failed') items.push({ kind: 'job_failed', subject: `job:${r.job}`, message: `job ${r.job} failed its last run${r.error ? `: ${r.error}` : ''}` });
  }
  return items;
}
