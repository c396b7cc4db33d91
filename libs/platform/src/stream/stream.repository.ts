import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '../database/sql.js';
import type { StreamScope } from './stream-scope.js';

/** NOTIFY channel: a stream event committed (the payload is the event, or only its id when large). */
export const STREAM_CHANNEL = 'warden_stream';

/** One committed event, as the log holds it and the hub fans it out. */
export interface StreamEventRecord {
  id: number;
  lever: string;
  type: string;
  scope: StreamScope;
  data: Record<string, unknown>;
  at: string;
}

interface Row {
  id: string;
  lever: string;
  type: string;
  engines: string[] | null;
  domains: string[] | null;
  principal: string | null;
  data: Record<string, unknown>;
  created_at: Date | string;
}

// The id goes out as text (a bigint); ORDER BY names the column itself, not that text alias.
const COLUMNS = 'id::text AS id, lever, type, engines, domains, principal, data, created_at';

/** A row (or the NOTIFY payload, which has the same fields) as the hub's record. */
export function recordOf(row: Row): StreamEventRecord {
  const scope: StreamScope = {};
  if (row.engines) scope.engines = row.engines;
  if (row.domains) scope.domains = row.domains;
  if (row.principal !== null && row.principal !== undefined) scope.principal = row.principal;
  return { id: Number(row.id), lever: row.lever, type: row.type, scope, data: row.data, at: new Date(row.created_at).toISOString() };
}

/** A NOTIFY payload: the full event, or `{id}` only (the event was too large to ride on it). */
export function parseNotification(payload: string): { id: number; record?: StreamEventRecord } | undefined {
  try {
    const p = JSON.parse(payload) as Partial<Row>;
    if (typeof p.id !== 'string' || !/^\d+$/.test(p.id)) return undefined;
    return { id: Number(p.id), record: typeof p.type === 'string' && p.data ? recordOf(p as Row) : undefined };
  } catch {
    return undefined;
  }
}

/** All of the stream log's SQL (the table and its commit trigger: migrations/1763700001900-StreamEvent.ts). */
@Injectable()
export class StreamRepository {
  constructor(@InjectDataSource() readonly db: DataSource) {}

  /** In the change's transaction; its id is drawn at commit (the trigger), so none is returned. */
  async insert(manager: EntityManager, event: { lever: string; type: string; scope?: StreamScope; data: Record<string, unknown>; at: Date }): Promise<void> {
    await manager.query(`INSERT INTO stream_event (lever, type, engines, domains, principal, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      event.lever,
      event.type,
      event.scope?.engines ? [...event.scope.engines] : null,
      event.scope?.domains ? [...event.scope.domains] : null,
      event.scope?.principal ?? null,
      JSON.stringify(event.data),
      event.at,
    ]);
  }

  /** The highest committed id and the retention watermark, in one read. */
  async position(db: Pick<EntityManager, 'query'> = this.db): Promise<{ head: number; prunedThrough: number }> {
    const row = await sqlOne<{ head: string; pruned: string }>(
      db,
      `SELECT (SELECT coalesce(max(id), 0) FROM stream_event)::text AS head, (SELECT pruned_through FROM stream_log)::text AS pruned`,
    );
    return { head: Number(row?.head ?? 0), prunedThrough: Number(row?.pruned ?? 0) };
  }

  /** Committed events in (after, through], oldest first, at most `limit`. */
  async between(after: number, through: number, limit: number): Promise<StreamEventRecord[]> {
    const rows = await sqlRows<Row>(this.db, `SELECT ${COLUMNS} FROM stream_event WHERE id > $1 AND id <= $2 ORDER BY stream_event.id LIMIT $3`, [after, through, limit]);
    return rows.map(recordOf);
  }

  /** Committed events after `after`, oldest first, at most `limit` (a listener catching up). */
  async after(after: number, limit: number): Promise<StreamEventRecord[]> {
    const rows = await sqlRows<Row>(this.db, `SELECT ${COLUMNS} FROM stream_event WHERE id > $1 ORDER BY stream_event.id LIMIT $2`, [after, limit]);
    return rows.map(recordOf);
  }

  /**
   * Which of these token ids are revoked (or gone): their streams end. An SSO person's principal has
   * its person as token id (docs/auth.md, "Single sign-on"): it counts as revoked once it has no live
   * console session left.
   */
  async revokedTokens(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const live = await sqlRows<{ id: string }>(
      this.db,
      `SELECT id::text AS id FROM api_token WHERE id::text = ANY($1::text[]) AND revoked_at IS NULL
       UNION SELECT person FROM console_session WHERE person = ANY($1::text[]) AND person LIKE 'oidc:%' AND revoked_at IS NULL AND expires_at > now()`,
      [ids],
    );
    const alive = new Set(live.map((r) => r.id));
    return ids.filter((id) => !alive.has(id));
  }

  /**
   * Retention: deletes every event up to the newest one older than `horizon` (ids, not times,
   * decide, so the watermark is exact whatever the clocks of the instances that wrote them), and
   * raises the watermark in the same statement. One instance at a time (a try-lock: the other skips).
   */
  async prune(horizon: Date): Promise<number> {
    return this.db.transaction(async (m) => {
      const locked = await sqlOne<{ ok: boolean }>(m, `SELECT pg_try_advisory_xact_lock(hashtext('warden:stream_prune')) AS ok`);
      if (!locked?.ok) return 0;
      const row = await sqlOne<{ n: string }>(
        m,
        `WITH upto AS (SELECT max(id) AS id FROM stream_event WHERE created_at < $1 AND id IS NOT NULL),
              gone AS (DELETE FROM stream_event WHERE id <= (SELECT id FROM upto) RETURNING id),
              mark AS (UPDATE stream_log SET pruned_through = GREATEST(pruned_through, (SELECT id FROM upto)) WHERE (SELECT id FROM upto) IS NOT NULL)
         SELECT count(*)::text AS n FROM gone`,
        [horizon],
      );
      return Number(row?.n ?? 0);
    });
  }
}
