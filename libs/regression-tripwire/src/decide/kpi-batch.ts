import type { DetectorKind } from './detector.js';

/** One KPI event as recorded: exactly one of success / value; correlation_id from the body or the Idempotency-Key header. */
export interface KpiInput {
  domain: string;
  metric: string;
  success: boolean | null;
  value: number | null;
  correlation_id: string | null;
}

export type KpiContent = Pick<KpiInput, 'domain' | 'metric' | 'success' | 'value'>;

/** The same event: a retry under a key must carry it, else the key is in conflict. */
export function sameEvent(a: KpiContent, b: KpiContent): boolean {
  return a.domain === b.domain && a.metric === b.metric && (a.success ?? null) === (b.success ?? null) && (a.value ?? null) === (b.value ?? null);
}

export const kindOf = (e: Pick<KpiInput, 'success'>): DetectorKind => (e.success !== null ? 'success_rate' : 'mean_value');

export interface KpiBatchPlan {
  /** The events to insert: each correlation_id once. */
  unique: KpiInput[];
  /** correlation_id → the event of `unique` that carries it. */
  byKey: Map<string, KpiInput>;
  /** Each stream of the batch, with the kind its events have. */
  streams: Array<{ domain: string; metric: string; kind: DetectorKind }>;
}

export type KpiBatchProblem =
  | { problem: 'key_reused'; correlation_id: string }
  | { problem: 'kinds_mixed'; index: number; stream: string };

/**
 * Checks a batch against itself before anything is written: the same correlation_id twice is one
 * event if identical, else a conflict; one stream's events are all successes or all values.
 */
export function planKpiBatch(events: readonly KpiInput[]): KpiBatchPlan | KpiBatchProblem {
  const byKey = new Map<string, KpiInput>();
  const unique: KpiInput[] = [];
  for (const e of events) {
    if (e.correlation_id === null) {
      unique.push(e);
      continue;
    }
    const seen = byKey.get(e.correlation_id);
    if (!seen) {
      byKey.set(e.correlation_id, e);
      unique.push(e);
    } else if (!sameEvent(seen, e)) {
      return { problem: 'key_reused', correlation_id: e.correlation_id };
    }
  }
  const streams = new Map<string, { domain: string; metric: string; kind: DetectorKind }>();
  for (const e of unique) {
    const stream = `${e.domain}/${e.metric}`;
    const seen = streams.get(stream);
    if (seen && seen.kind !== kindOf(e)) return { problem: 'kinds_mixed', index: events.indexOf(e), stream };
    streams.set(stream, { domain: e.domain, metric: e.metric, kind: kindOf(e) });
  }
  return { unique, byKey, streams: [...streams.values()] };
}

/**
 * The id each event of the request ends up with: a retried key keeps its original id (a
 * duplicate); the new rows' ids, in ascending order, go to the other events in request order.
 */
export function assignIds(
  events: readonly KpiInput[],
  plan: Pick<KpiBatchPlan, 'unique' | 'byKey'>,
  newIds: readonly string[],
  originals: ReadonlyMap<string, { id: string }>,
): Array<{ id: string; duplicate: boolean }> {
  const sorted = [...newIds].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  let next = 0;
  const idOf = new Map<KpiInput, { id: string; duplicate: boolean }>();
  for (const e of plan.unique) {
    const original = e.correlation_id !== null ? originals.get(e.correlation_id) : undefined;
    idOf.set(e, original ? { id: original.id, duplicate: true } : { id: sorted[next++], duplicate: false });
  }
  return events.map((e) => idOf.get(e.correlation_id !== null ? plan.byKey.get(e.correlation_id)! : e)!);
}
