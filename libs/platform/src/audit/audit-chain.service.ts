import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type ChainBlock, type ChainBreak, ChainWalker, LOOKAHEAD } from './audit-chain.walk.js';

/** One chain's head, as the weekly checkpoint records it. */
export interface ChainHead {
  log: string;
  rows: number;
  head_hash: string;
}

export interface ChainReport {
  log: string;
  intact: boolean;
  /** Rows the chain names (its blocks), walked in order. */
  rows_checked: number;
  /** The hash after the last row the walk read (what the data says). */
  head_hash: string;
  /** What audit_chain_head records (the trigger's running head). */
  recorded: ChainHead | null;
  first_break: ChainBreak | null;
  breaks: number;
}

/** A state row whose current values the journal does not account for. */
export interface UntracedChange {
  table: string;
  key: string;
  kind: 'changed_without_trace' | 'inserted_without_trace' | 'deleted_without_trace';
}

export interface StateReport {
  table: string;
  rows_checked: number;
  untraced: UntracedChange[];
  untraced_count: number;
}

export interface VerifyReport {
  intact: boolean;
  chains: ChainReport[];
  state: StateReport[];
}

/** The state tables journaled by migration AuditHashChain (and GateApprovalKeys), with the column naming a row. */
export const JOURNALED_STATE_TABLES: readonly { table: string; key: string }[] = [
  { table: 'go_live_state', key: 'id' },
  { table: 'risk_policy', key: 'engine' },
  { table: 'api_token', key: 'id' },
  { table: 'approval_request', key: 'id' },
  { table: 'gate_approval_key', key: 'key_id' },
];

const BLOCK_BATCH = 500;
const ROW_BATCH = 5000;
const MAX_ORPHANS = 20;
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const MAX_UNTRACED = 20;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`audit chain: unexpected identifier ${JSON.stringify(name)}`);
  return name;
}

/**
 * Checks the hash chains (docs/audit.md) and gives their heads for the weekly checkpoint. Read-only;
 * works under the application role (it may read the logs and the heads) and under the owner (CLI).
 */
@Injectable()
export class AuditChainService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Each chain's head `{log, rows, head_hash}`, from the trigger's running heads: the checkpoint to publish. */
  async heads(manager: EntityManager = this.dataSource.manager): Promise<ChainHead[]> {
    const rows: { log: string; rows: string; head_hash: string }[] = await manager.query(`SELECT log, rows::text AS rows, head_hash FROM audit_chain_head ORDER BY log`);
    return rows.map((r) => ({ log: r.log, rows: Number(r.rows), head_hash: r.head_hash }));
  }

  /**
   * Every chain walked in full, and every journaled state table compared with its journal. With
   * `checkpoints` (heads published earlier), each chain must also pass through its checkpoint.
   */
  async verify(checkpoints: readonly ChainHead[] = []): Promise<VerifyReport> {
    const logs: { log: string; order_column: string }[] = await this.dataSource.query(`SELECT log, order_column FROM audit_chain_head ORDER BY log`);
    const chains: ChainReport[] = [];
    for (const { log, order_column } of logs) chains.push(await this.verifyChain(log, order_column, checkpoints.find((c) => c.log === log) ?? null));
    const state = await this.inReadSnapshot(async (m) => {
      const out: StateReport[] = [];
      for (const t of JOURNALED_STATE_TABLES) out.push(await this.checkState(m, t.table, t.key));
      return out;
    });
    return { intact: chains.every((c) => c.intact) && state.every((s) => s.untraced_count === 0), chains, state };
  }

  /** One chain, in one snapshot so the head, the blocks and the rows agree while writers go on appending. */
  async verifyChain(log: string, orderColumn: string, checkpoint: ChainHead | null = null): Promise<ChainReport> {
    const table = ident(log);
    const order = ident(orderColumn);
    return this.inReadSnapshot(async (m) => {
      const [head] = (await this.heads(m)).filter((h) => h.log === log);
      const walker = new ChainWalker(checkpoint);
      let buffer: ChainBlock[] = [];
      let after = '0';
      let exhausted = false;
      for (;;) {
        if (!exhausted && buffer.length <= LOOKAHEAD) {
          const batch: ChainBlock[] = await m.query(
            `SELECT b.block::text AS block, encode(b.prev_hash, 'hex') AS prev_hash, encode(b.block_hash, 'hex') AS block_hash, b.pos::text[] AS pos,
                    array(SELECT encode(x, 'hex') FROM unnest(b.leaf) WITH ORDINALITY AS u(x, o) ORDER BY o) AS leaf
               FROM audit_chain_block b WHERE b.log = $1 AND b.block > $2::bigint ORDER BY b.block LIMIT ${BLOCK_BATCH}`,
            [log, after],
          );
          if (batch.length < BLOCK_BATCH) exhausted = true;
          if (batch.length > 0) after = batch[batch.length - 1].block;
          buffer = buffer.concat(batch);
        }
        if (buffer.length === 0) break;
        // Check blocks while a full lookahead is in the buffer (or nothing more is coming).
        const upTo = exhausted ? buffer.length : buffer.length - LOOKAHEAD;
        const rows = await this.canonicalRows(m, table, order, buffer.slice(0, upTo).flatMap((b) => b.pos));
        for (let i = 0; i < upTo; i++) walker.block(buffer, i, rows);
        buffer = buffer.slice(upTo);
      }
      const orphans: { pos: string; n: string }[] = await m.query(
        `SELECT t.${order}::text AS pos, count(*) OVER ()::text AS n FROM ${table} t
          WHERE NOT EXISTS (SELECT 1 FROM audit_chain_block b CROSS JOIN LATERAL unnest(b.pos) AS c(pos) WHERE b.log = $1 AND c.pos = t.${order})
          ORDER BY t.${order} LIMIT ${MAX_ORPHANS}`,
        [log],
      );
      walker.orphans(orphans.map((o) => o.pos), orphans.length ? Number(orphans[0].n) : 0);
      const walked = walker.finish(head ?? null);
      return {
        log,
        intact: walker.breaks === 0,
        rows_checked: walked.rows,
        head_hash: walked.head_hash,
        recorded: head ?? null,
        first_break: walker.firstBreak,
        breaks: walker.breaks,
      };
    });
  }

  /** The canonical text of the rows at `positions`, as the trigger hashed it (without the order column). */
  private async canonicalRows(m: EntityManager, table: string, order: string, positions: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < positions.length; i += ROW_BATCH) {
      const rows: { pos: string; canonical: string }[] = await m.query(
        `SELECT t.${order}::text AS pos, jsonb_strip_nulls(to_jsonb(t) - '${order}')::text AS canonical FROM ${table} t WHERE t.${order} = ANY ($1::bigint[])`,
        [positions.slice(i, i + ROW_BATCH)],
      );
      for (const r of rows) out.set(r.pos, r.canonical);
    }
    return out;
  }

  /**
   * Each state row against the journal's latest entry for it: a value the journal does not hold (every
   * column it recorded must still be equal; columns added later are not compared), a row it never saw,
   * or a row gone that it never saw deleted, was changed with the journal's trigger off.
   */
  private async checkState(m: EntityManager, tableName: string, key: string): Promise<StateReport> {
    const table = ident(tableName);
    const rows: { key: string; kind: UntracedChange['kind']; n: string }[] = await m.query(
      `WITH cur AS (SELECT to_jsonb(t) ->> $2 AS k, to_jsonb(t) AS v FROM ${table} t),
            jr AS (SELECT DISTINCT ON (row_key) row_key AS k, op, after AS v FROM state_change_log WHERE table_name = $1 ORDER BY row_key, id DESC),
            diff AS (
              SELECT coalesce(cur.k, jr.k) AS key,
                     CASE WHEN jr.k IS NULL OR jr.op = 'delete' THEN 'inserted_without_trace'
                          WHEN cur.k IS NULL THEN 'deleted_without_trace'
                          ELSE 'changed_without_trace' END AS kind
                FROM cur FULL JOIN jr ON jr.k = cur.k
               WHERE (cur.k IS NULL AND jr.op <> 'delete')
                  OR (cur.k IS NOT NULL AND (jr.k IS NULL OR jr.op = 'delete'))
                  OR (cur.k IS NOT NULL AND jr.k IS NOT NULL AND jr.op <> 'delete'
                      AND EXISTS (SELECT 1 FROM jsonb_each(jr.v) e WHERE cur.v -> e.key IS DISTINCT FROM e.value)))
       SELECT key, kind, count(*) OVER ()::text AS n FROM diff ORDER BY key LIMIT ${MAX_UNTRACED}`,
      [tableName, key],
    );
    const [{ n: total }] = (await m.query(`SELECT count(*)::text AS n FROM ${table}`)) as { n: string }[];
    const untraced = rows.map((r) => ({ table: tableName, key: r.key, kind: r.kind }));
    const count = rows.length === 0 ? 0 : Number(rows[0].n);
    return { table: tableName, rows_checked: Number(total), untraced, untraced_count: count };
  }

  /** A read-only REPEATABLE READ transaction rendering timestamps in UTC, as the triggers hash them. */
  private inReadSnapshot<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      await m.query(`SET TRANSACTION READ ONLY`);
      await m.query(`SET LOCAL "TimeZone" = 'UTC'`);
      return fn(m);
    });
  }
}
