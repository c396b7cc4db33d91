import { createHash } from 'node:crypto';

/** The hash before a log's first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** How far ahead the walk looks to tell a moved row from a missing one. */
export const LOOKAHEAD = 64;
const RECENT = 1024;

/** One chained row as verify reads it: its order value, its stored hashes, its canonical text. */
export interface ChainRow {
  pos: string;
  prev_hash: string;
  row_hash: string;
  canonical: string;
}

export type ChainBreakKind = 'altered' | 'inserted' | 'deleted' | 'reordered' | 'head_mismatch' | 'checkpoint_mismatch';

export interface ChainBreak {
  kind: ChainBreakKind;
  /** The order value (id, or seq) of the row where the chain first breaks; null past the last row. */
  at: string | null;
  detail: string;
}

/** SHA-256(prev_hash bytes || UTF-8 canonical content), hex: what the trigger stores as row_hash. */
export function rowHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(canonical, 'utf8').digest('hex');
}

/**
 * Walks one log in chain order and names its first broken link. Pure: it is given the rows (with
 * up to LOOKAHEAD rows after each) and the recorded head, and reads nothing itself.
 *
 * A row is sound when it links to the previous row's hash and its own hash recomputes. When not:
 * - its prev_hash is the hash of a row a little further on: the rows were **reordered**;
 * - the next row links to what this row should have linked to: this row was **inserted** between them;
 * - it links to an earlier row than the previous one: the rows in between were **inserted**;
 * - its own hash does not recompute while its link holds: its content was **altered**;
 * - it links to a hash no row has: a row before it was **deleted** (or the row before was altered
 *   and re-hashed, which looks the same: say so).
 * After a break the walk resynchronises on the stored hash, so `breaks` counts every break.
 *
 * Given a published checkpoint `{rows, head_hash}`, the row at that count must carry that hash: a
 * chain rewritten from end to end (by whoever can recompute every hash) no longer does.
 */
export class ChainWalker {
  rows = 0;
  breaks = 0;
  firstBreak: ChainBreak | null = null;
  private last = GENESIS_HASH;
  private lastPos: string | null = null;
  private firstPos: string | null = null;
  private readonly recent: { pos: string; hash: string }[] = [];

  constructor(private readonly checkpoint: { rows: number; head_hash: string } | null = null) {}

  /** `rows[index]` is the row to check; the rows after it are the lookahead. */
  step(rows: readonly ChainRow[], index: number): void {
    const row = rows[index];
    const next = rows[index + 1];
    const linked = row.prev_hash === this.last;
    const selfOk = rowHash(row.prev_hash, row.canonical) === row.row_hash;
    if (!linked || !selfOk) this.report(this.classify(row, next, rows, index, linked));
    this.recent.push({ pos: row.pos, hash: row.row_hash });
    if (this.recent.length > RECENT) this.recent.shift();
    this.last = row.row_hash;
    this.lastPos = row.pos;
    this.firstPos ??= row.pos;
    this.rows += 1;
    if (this.checkpoint && this.rows === this.checkpoint.rows && row.row_hash !== this.checkpoint.head_hash) {
      this.report({ kind: 'checkpoint_mismatch', at: row.pos, detail: `row ${row.pos} is row ${this.rows}, whose hash the checkpoint records as ${this.checkpoint.head_hash}; it is ${row.row_hash}` });
    }
  }

  /** After the last row: the walk must end where the recorded head says, after as many rows. */
  finish(recorded: { rows: number; head_hash: string } | null): { rows: number; head_hash: string } {
    if (this.checkpoint && this.checkpoint.rows > this.rows) {
      this.report({ kind: 'checkpoint_mismatch', at: null, detail: `the checkpoint records ${this.checkpoint.rows} rows; the log has ${this.rows}` });
    }
    if (recorded && (recorded.head_hash !== this.last || recorded.rows !== this.rows)) {
      const missing = recorded.rows > this.rows && recorded.head_hash !== this.last;
      this.report({
        kind: missing ? 'deleted' : 'head_mismatch',
        at: null,
        detail: missing
          ? `the head records ${recorded.rows} rows ending at ${recorded.head_hash}; the log has ${this.rows} ending at ${this.last} (row ${this.lastPos ?? 'none'}): rows after it were deleted`
          : `the head records ${recorded.rows} rows ending at ${recorded.head_hash}; the log has ${this.rows} ending at ${this.last}`,
      });
    }
    return { rows: this.rows, head_hash: this.last };
  }

  private classify(row: ChainRow, next: ChainRow | undefined, rows: readonly ChainRow[], index: number, linked: boolean): ChainBreak {
    const at = row.pos;
    if (!linked) {
      const ahead = rows.slice(index + 1, index + 1 + LOOKAHEAD).find((r) => r.row_hash === row.prev_hash);
      if (ahead) return { kind: 'reordered', at, detail: `row ${at} links to row ${ahead.pos}, which comes after it` };
    }
    if (next && next.prev_hash === this.last && next.prev_hash !== row.row_hash) {
      return { kind: 'inserted', at, detail: `row ${at} does not belong between row ${this.lastPos ?? '(start)'} and row ${next.pos}, which links past it` };
    }
    if (!linked) {
      const j = this.recent.findIndex((r) => r.hash === row.prev_hash);
      if (j >= 0 && j + 1 < this.recent.length) {
        return { kind: 'inserted', at: this.recent[j + 1].pos, detail: `row ${at} links to row ${this.recent[j].pos}: rows from ${this.recent[j + 1].pos} up to it were inserted` };
      }
      if (row.prev_hash === GENESIS_HASH && this.firstPos !== null) {
        return { kind: 'inserted', at: this.firstPos, detail: `row ${at} starts the chain: rows from ${this.firstPos} up to it were inserted` };
      }
      if (this.lastPos === null) return { kind: 'deleted', at, detail: `the first row ${at} does not start the chain: rows before it were deleted` };
      return {
        kind: 'deleted',
        at,
        detail: `row ${at} links to a hash no row has: a row between ${this.lastPos} and ${at} was deleted, or row ${this.lastPos} was altered and re-hashed`,
      };
    }
    return { kind: 'altered', at, detail: `row ${at}'s content no longer hashes to its row_hash` };
  }

  private report(b: ChainBreak): void {
    this.breaks += 1;
    this.firstBreak ??= b;
  }
}
