import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';
import type { DetectorKind } from './decide/detector.js';
import type { KpiInput } from './decide/kpi-batch.js';

export interface KpiStreamRow {
  domain: string;
  metric: string;
  kind: DetectorKind;
}

/** A KPI event already recorded under a correlation_id. */
export type RecordedKpiRow = KpiInput & { id: string };

/**
 * The newest window + baseline events after the reset marker: a backward range scan of the primary
 * key (domain, metric, id) INCLUDE (success, value) that stops after LIMIT rows, whatever the
 * stream's history (kpi_event has no id-only index the planner could prefer; see the migration).
 */
export const WINDOW_SQL = `SELECT success, value FROM kpi_event
  WHERE domain = $1 AND metric = $2 AND id > $3
  ORDER BY id DESC
  LIMIT $4`;

/** All SQL on `kpi_event` (append-only) and `kpi_stream`. */
@Injectable()
export class KpiEventRepository {
  /**
   * Locks each stream to the kind of its first event (a new stream takes the kind given here) and
   * returns the kind every one of these streams now has.
   */
  async streamKinds(m: EntityManager, streams: KpiStreamRow[], now: Date): Promise<KpiStreamRow[]> {
    await m.query(
      `INSERT INTO kpi_stream (domain, metric, kind, first_recorded_at)
       SELECT d, mt, k, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(d, mt, k)
       ON CONFLICT (domain, metric) DO NOTHING`,
      [streams.map((s) => s.domain), streams.map((s) => s.metric), streams.map((s) => s.kind), now],
    );
    return sqlRows<KpiStreamRow>(
      m,
      `SELECT s.domain, s.metric, s.kind FROM kpi_stream s JOIN unnest($1::text[], $2::text[]) AS t(d, mt) ON s.domain = t.d AND s.metric = t.mt`,
      [streams.map((s) => s.domain), streams.map((s) => s.metric)],
    );
  }

  /**
   * Inserts the events in order, skipping those whose correlation_id is already recorded; returns
   * the new rows. Ids come from one sequence in `ORDER BY ord` order: ascending ids follow the request.
   */
  insert(m: EntityManager, events: KpiInput[], now: Date, by: string): Promise<Array<{ id: string; correlation_id: string | null }>> {
    return sqlRows(
      m,
      `INSERT INTO kpi_event (domain, metric, success, value, correlation_id, recorded_at, recorded_by)
       SELECT d, mt, s, v, c, $6, $7
       FROM unnest($1::text[], $2::text[], $3::boolean[], $4::float8[], $5::text[]) WITH ORDINALITY AS t(d, mt, s, v, c, ord)
       ORDER BY ord
       ON CONFLICT (correlation_id) WHERE correlation_id IS NOT NULL DO NOTHING
       RETURNING id, correlation_id`,
      [events.map((e) => e.domain), events.map((e) => e.metric), events.map((e) => e.success), events.map((e) => e.value), events.map((e) => e.correlation_id), now, by],
    );
  }

  byCorrelationIds(m: EntityManager, keys: string[]): Promise<RecordedKpiRow[]> {
    return sqlRows<RecordedKpiRow>(m, `SELECT id, domain, metric, success, value, correlation_id FROM kpi_event WHERE correlation_id = ANY($1::text[])`, [keys]);
  }

  async streamKind(m: EntityManager, domain: string, metric: string): Promise<DetectorKind | null> {
    const row = await sqlOne<{ kind: DetectorKind }>(m, `SELECT kind FROM kpi_stream WHERE domain = $1 AND metric = $2`, [domain, metric]);
    return row?.kind ?? null;
  }

  /** The newest `limit` events after `afterId`, newest first (see WINDOW_SQL). */
  window(m: EntityManager, domain: string, metric: string, afterId: string, limit: number): Promise<Array<{ success: boolean | null; value: number | null }>> {
    return sqlRows(m, WINDOW_SQL, [domain, metric, afterId, limit]);
  }

  /** The id of the stream's newest event ('0' when it has none): the baseline-reset marker. */
  async newestId(m: EntityManager, domain: string, metric: string): Promise<string> {
    const row = await sqlOne<{ id: string }>(
      m,
      `SELECT coalesce((SELECT id FROM kpi_event WHERE domain = $1 AND metric = $2 ORDER BY id DESC LIMIT 1), 0)::text AS id`,
      [domain, metric],
    );
    return row!.id;
  }
}
