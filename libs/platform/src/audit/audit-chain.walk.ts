import { createHash } from 'node:crypto';

/** The hash before a log's first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** How many blocks ahead the walk looks to tell a moved row or block from a missing one. */
export const LOOKAHEAD = 64;
const RECENT = 1024;
/** How far back a block that does not hash is tried against earlier heads (a link slipped in before it). */
const RETRY_BACK = 64;

/** One block of a chain as stored: the hash before it and after it, its rows' order values and leaves (hex). */
export interface ChainBlock {
  block: string;
  prev_hash: string;
  block_hash: string;
  pos: readonly string[];
  leaf: readonly string[];
}

export type ChainBreakKind = 'altered' | 'inserted' | 'deleted' | 'reordered' | 'head_mismatch' | 'checkpoint_mismatch';

export interface ChainBreak {
  kind: ChainBreakKind;
  /** The order value (id, or seq) of the row where the chain first breaks; null past the last row. */
  at: string | null;
  detail: string;
}

const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** A row's leaf: SHA-256 of its canonical text in UTF-8, hex (what the trigger stores in the block). */
export function leafHash(canonical: string): string {
  return sha256(Buffer.from(canonical, 'utf8')).toString('hex');
}

/** The chain's hash after a row: SHA-256(previous hash bytes || leaf bytes), hex. */
export function linkHash(prevHash: string, leaf: string): string {
  return sha256(Buffer.from(prevHash, 'hex'), Buffer.from(leaf, 'hex')).toString('hex');
}

/** The hash after each of `leaves` in turn, starting from `prev`. */
export function chainHashes(prev: string, leaves: readonly string[]): string[] {
  const out: string[] = [];
  let h = prev;
  for (const l of leaves) out.push((h = linkHash(h, l)));
  return out;
}

const endOf = (prev: string, leaves: readonly string[]) => (leaves.length ? chainHashes(prev, leaves).at(-1)! : prev);

/**
 * Walks one log's blocks in chain order and names its first broken link. Pure: it is given the blocks
 * (with up to LOOKAHEAD blocks after each), the canonical text of the rows the block names, and the
 * rows no block names; it reads nothing itself.
 *
 * A row is sound when it is there and its content hashes to the leaf its block records; a block is
 * sound when it starts at the previous block's hash and its leaves hash to its recorded end. When not:
 * - a row whose content is the leaf of another row nearby was **reordered** (ids swapped);
 * - a row that is gone was **deleted**; a row that no block names was **inserted**;
 * - a row whose content matches no leaf was **altered**;
 * - a block that starts at a later block's hash was **reordered**, one that starts at an earlier row's
 *   hash follows rows that were **inserted**, one that starts at a hash no row has follows rows that
 *   were **deleted**; a block whose leaves do not hash to its end, once one of them is taken out, had
 *   that one **inserted**, else its record was **altered**.
 * After a break the walk resynchronises on the block's stored hash, so `breaks` counts every break.
 *
 * Given a published checkpoint `{rows, head_hash}`, the hash after that many rows must be that hash: a
 * chain rewritten from end to end (by whoever can recompute every hash) no longer is.
 */
export class ChainWalker {
  rows = 0;
  breaks = 0;
  firstBreak: ChainBreak | null = null;
  private last = GENESIS_HASH;
  private lastPos: string | null = null;
  private firstPos: string | null = null;
  private readonly recent: { pos: string; hash: string; leaf: string }[] = [];

  constructor(private readonly checkpoint: { rows: number; head_hash: string } | null = null) {}

  /** `blocks[index]` is the block to check, the blocks after it are the lookahead; `rows` maps pos to canonical text. */
  block(blocks: readonly ChainBlock[], index: number, rows: ReadonlyMap<string, string>): void {
    const b = blocks[index];
    if (b.prev_hash !== this.last) this.report(this.classifyLink(b, blocks, index));
    const hashes = chainHashes(b.prev_hash, b.leaf);
    if (hashes.at(-1) !== b.block_hash) this.report(this.classifyBlock(b));
    for (let i = 0; i < b.pos.length; i++) {
      const pos = b.pos[i];
      const canonical = rows.get(pos);
      if (canonical === undefined) {
        this.report({ kind: 'deleted', at: pos, detail: `row ${pos}, chained after row ${this.lastPos ?? '(start)'}, is gone` });
      } else {
        const leaf = leafHash(canonical);
        if (leaf !== b.leaf[i]) {
          const other = this.findLeaf(leaf, blocks, index, pos);
          this.report(
            other
              ? { kind: 'reordered', at: pos, detail: `row ${pos} holds the content the chain records at row ${other}` }
              : { kind: 'altered', at: pos, detail: `row ${pos}'s content no longer hashes to the leaf its block records` },
          );
        }
      }
      this.recent.push({ pos, hash: hashes[i], leaf: b.leaf[i] });
      if (this.recent.length > RECENT) this.recent.shift();
      this.lastPos = pos;
      this.firstPos ??= pos;
      this.rows += 1;
      if (this.checkpoint && this.rows === this.checkpoint.rows && hashes[i] !== this.checkpoint.head_hash) {
        this.report({ kind: 'checkpoint_mismatch', at: pos, detail: `row ${pos} is row ${this.rows}, after which the checkpoint records ${this.checkpoint.head_hash}; the chain has ${hashes[i]}` });
      }
    }
    this.last = b.block_hash;
  }

  /** Rows in the log that no block names: slipped in past the trigger. */
  orphans(positions: readonly string[], total: number): void {
    for (const pos of positions) this.report({ kind: 'inserted', at: pos, detail: `row ${pos} is in the log but in no block of its chain (${total} such rows)` });
    this.breaks += Math.max(0, total - positions.length);
  }

  /** After the last block: the walk must end where the recorded head says, after as many rows. */
  finish(recorded: { rows: number; head_hash: string } | null): { rows: number; head_hash: string } {
    if (this.checkpoint && this.checkpoint.rows > this.rows) {
      this.report({ kind: 'checkpoint_mismatch', at: null, detail: `the checkpoint records ${this.checkpoint.rows} rows; the chain has ${this.rows}` });
    }
    if (recorded && (recorded.head_hash !== this.last || recorded.rows !== this.rows)) {
      const missing = recorded.rows > this.rows && recorded.head_hash !== this.last;
      this.report({
        kind: missing ? 'deleted' : 'head_mismatch',
        at: null,
        detail: missing
          ? `the head records ${recorded.rows} rows ending at ${recorded.head_hash}; the chain has ${this.rows} ending at ${this.last} (row ${this.lastPos ?? 'none'}): blocks after it were deleted`
          : `the head records ${recorded.rows} rows ending at ${recorded.head_hash}; the chain has ${this.rows} ending at ${this.last}`,
      });
    }
    return { rows: this.rows, head_hash: this.last };
  }

  /** A block that does not start where the chain so far ends. */
  private classifyLink(b: ChainBlock, blocks: readonly ChainBlock[], index: number): ChainBreak {
    const at = b.pos[0];
    const ahead = blocks.slice(index + 1, index + 1 + LOOKAHEAD).find((x) => x.block_hash === b.prev_hash);
    if (ahead) return { kind: 'reordered', at, detail: `block ${b.block} (row ${at}) links to block ${ahead.block} (row ${ahead.pos[0]}), which comes after it` };
    const j = this.recent.findIndex((r) => r.hash === b.prev_hash);
    if (j >= 0 && j + 1 < this.recent.length) {
      return { kind: 'inserted', at: this.recent[j + 1].pos, detail: `row ${at} links to row ${this.recent[j].pos}: rows from ${this.recent[j + 1].pos} up to it were inserted` };
    }
    if (b.prev_hash === GENESIS_HASH && this.firstPos !== null) {
      return { kind: 'inserted', at: this.firstPos, detail: `row ${at} starts the chain: rows from ${this.firstPos} up to it were inserted` };
    }
    if (this.lastPos === null) return { kind: 'deleted', at, detail: `the first block (row ${at}) does not start the chain: blocks before it were deleted` };
    return { kind: 'deleted', at, detail: `row ${at} links to a hash no row has: rows chained between ${this.lastPos} and ${at} were removed, or an earlier block was altered` };
  }

  /** A block whose leaves do not hash to its recorded end. */
  private classifyBlock(b: ChainBlock): ChainBreak {
    for (let j = this.recent.length - 2; j >= Math.max(0, this.recent.length - 1 - RETRY_BACK); j--) {
      if (endOf(this.recent[j].hash, b.leaf) === b.block_hash) {
        return { kind: 'inserted', at: this.recent[j + 1].pos, detail: `block ${b.block} (row ${b.pos[0]}) was hashed onto row ${this.recent[j].pos}: rows from ${this.recent[j + 1].pos} up to it were inserted` };
      }
    }
    for (let k = 0; k < b.leaf.length && b.leaf.length > 1; k++) {
      if (endOf(b.prev_hash, b.leaf.filter((_, i) => i !== k)) === b.block_hash) {
        return { kind: 'inserted', at: b.pos[k], detail: `row ${b.pos[k]} was slipped into block ${b.block}: without it the block hashes to its recorded end` };
      }
    }
    return { kind: 'altered', at: b.pos[0], detail: `block ${b.block} (rows ${b.pos[0]}..${b.pos.at(-1)}) no longer hashes to its recorded end: the chain's record of those rows was rewritten` };
  }

  /** The position of another row, nearby in the chain, whose recorded leaf is `leaf`. */
  private findLeaf(leaf: string, blocks: readonly ChainBlock[], index: number, self: string): string | null {
    for (let i = this.recent.length - 1; i >= 0; i--) if (this.recent[i].leaf === leaf && this.recent[i].pos !== self) return this.recent[i].pos;
    for (const x of blocks.slice(index, index + 1 + LOOKAHEAD)) {
      const k = x.leaf.findIndex((l, i) => l === leaf && x.pos[i] !== self);
      if (k >= 0) return x.pos[k];
    }
    return null;
  }

  private report(b: ChainBreak): void {
    this.breaks += 1;
    this.firstBreak ??= b;
  }
}
