import fc from 'fast-check';
import { type ChainBlock, chainHashes, ChainWalker, GENESIS_HASH, leafHash, linkHash } from './audit-chain.walk.js';

interface Log {
  blocks: ChainBlock[];
  rows: Map<string, string>;
}

/** A log as the trigger writes it: rows at positions 2, 4, 6, ..., `size` rows per block (one INSERT each). */
function chain(n: number, size = 1): Log {
  const blocks: ChainBlock[] = [];
  const rows = new Map<string, string>();
  let prev = GENESIS_HASH;
  for (let i = 0; i < n; i += size) {
    const pos: string[] = [];
    const leaf: string[] = [];
    for (let j = i; j < Math.min(n, i + size); j++) {
      const canonical = JSON.stringify({ action: `a${j}` });
      pos.push(String(2 * (j + 1)));
      leaf.push(leafHash(canonical));
      rows.set(pos.at(-1)!, canonical);
    }
    const block_hash = chainHashes(prev, leaf).at(-1)!;
    blocks.push({ block: String(blocks.length + 1), prev_hash: prev, block_hash, pos, leaf });
    prev = block_hash;
  }
  return { blocks, rows };
}

function walk(log: Log, recorded: { rows: number; head_hash: string } | null, orphans: string[] = [], checkpoint: { rows: number; head_hash: string } | null = null) {
  const w = new ChainWalker(checkpoint);
  for (let i = 0; i < log.blocks.length; i++) w.block(log.blocks, i, log.rows);
  w.orphans(orphans, orphans.length);
  const head = w.finish(recorded);
  return { first: w.firstBreak, breaks: w.breaks, head };
}

const headOf = (log: Log) => ({ rows: log.blocks.reduce((n, b) => n + b.pos.length, 0), head_hash: log.blocks.at(-1)?.block_hash ?? GENESIS_HASH });
const withRows = (log: Log, edit: (rows: Map<string, string>) => void): Log => {
  const rows = new Map(log.rows);
  edit(rows);
  return { blocks: log.blocks, rows };
};

/** A forger who knows the algorithm: a row and its own block, hashed onto the block before `at`, slipped in before it. */
function spliced(log: Log, at: number, pos = '5'): Log {
  const canonical = JSON.stringify({ action: 'forged' });
  const prev = at === 0 ? GENESIS_HASH : log.blocks[at - 1].block_hash;
  const leaf = leafHash(canonical);
  const forged: ChainBlock = { block: 'f', prev_hash: prev, block_hash: linkHash(prev, leaf), pos: [pos], leaf: [leaf] };
  const rows = new Map(log.rows).set(pos, canonical);
  return { blocks: [...log.blocks.slice(0, at), forged, ...log.blocks.slice(at)], rows };
}

describe('ChainWalker', () => {
  it('an intact chain, in single-row and in multi-row blocks: no break, the head it walked to is the recorded one', () => {
    for (const size of [1, 3]) {
      const log = chain(7, size);
      expect(walk(log, headOf(log))).toEqual({ first: null, breaks: 0, head: headOf(log) });
    }
    expect(walk(chain(0), headOf(chain(0)))).toEqual({ first: null, breaks: 0, head: { rows: 0, head_hash: GENESIS_HASH } });
  });

  it('a leaf is SHA-256 of the canonical text in UTF-8; a link is SHA-256 of the previous hash bytes, then the leaf bytes', () => {
    // computed independently: sha256(""), sha256("é"), sha256(32 zero bytes || sha256(""))
    expect(leafHash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(leafHash('é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
    expect(linkHash(GENESIS_HASH, leafHash(''))).toBe('1c9ecec90e28d2461650418635878a5c91e49f47586ecf75f2b0cbb94e897112');
  });

  it('names an altered, a deleted, a slipped-in and a swapped row, a moved block and a removed tail', () => {
    const log = chain(6, 2);
    const recorded = headOf(log);
    expect(walk(withRows(log, (r) => r.set('6', '{"action": "forged"}')), recorded).first).toMatchObject({ kind: 'altered', at: '6' });
    expect(walk(withRows(log, (r) => r.delete('8')), recorded).first).toMatchObject({ kind: 'deleted', at: '8' });
    expect(walk(withRows(log, (r) => r.set('5', '{}')), recorded, ['5']).first).toMatchObject({ kind: 'inserted', at: '5' });
    const swapped = withRows(log, (r) => {
      const [a, b] = [r.get('4')!, r.get('6')!];
      r.set('4', b).set('6', a);
    });
    expect(walk(swapped, recorded).first).toMatchObject({ kind: 'reordered', at: '4' });
    const b = log.blocks;
    expect(walk({ blocks: [b[0], b[2], b[1]], rows: log.rows }, recorded).first).toMatchObject({ kind: 'reordered', at: '10' });
    expect(walk({ blocks: [b[0], b[2]], rows: withRows(log, (r) => ['6', '8'].forEach((p) => r.delete(p))).rows }, recorded).first).toMatchObject({ kind: 'deleted', at: '10' });
    expect(walk({ blocks: [b[1], b[0], b[2]], rows: log.rows }, recorded).first).toMatchObject({ kind: 'reordered', at: '6' });
    expect(walk({ blocks: b.slice(0, 2), rows: log.rows }, recorded).first).toMatchObject({ kind: 'deleted', at: null });
    expect(walk(spliced(log, 1), recorded).first).toMatchObject({ kind: 'inserted', at: '5' });
    expect(walk(log, { rows: 6, head_hash: 'c'.repeat(64) }).first).toMatchObject({ kind: 'head_mismatch' });
  });

  it('names a link taken out of, or slipped into, a block that was not re-hashed', () => {
    const log = chain(6, 3);
    const [first, second] = log.blocks;
    const cut = { ...second, pos: second.pos.slice(1), leaf: second.leaf.slice(1) };
    expect(walk({ blocks: [first, cut], rows: log.rows }, headOf(log)).first).toMatchObject({ kind: 'altered', at: '10' });
    const extra = { ...second, pos: [...second.pos, '13'], leaf: [...second.leaf, leafHash('{}')] };
    expect(walk({ blocks: [first, extra], rows: new Map(log.rows).set('13', '{}') }, headOf(log)).first).toMatchObject({ kind: 'inserted', at: '13' });
  });

  it('a chain rewritten end to end passes alone but not against a checkpoint taken before', () => {
    const log = chain(5, 2);
    const checkpoint = { rows: 4, head_hash: log.blocks[1].block_hash };
    const rewritten = chain(5, 2);
    rewritten.rows.set('2', '{"action": "forged"}');
    rewritten.blocks = [];
    let prev = GENESIS_HASH;
    for (const blk of log.blocks) {
      const leaf = blk.pos.map((p) => leafHash(rewritten.rows.get(p)!));
      const block_hash = chainHashes(prev, leaf).at(-1)!;
      rewritten.blocks.push({ ...blk, prev_hash: prev, block_hash, leaf });
      prev = block_hash;
    }
    expect(walk(rewritten, headOf(rewritten)).first).toBeNull();
    expect(walk(rewritten, headOf(rewritten), [], checkpoint).first).toMatchObject({ kind: 'checkpoint_mismatch', at: '8' });
    expect(walk(log, headOf(log), [], checkpoint).first).toBeNull();
  });

  it('property: any one deletion, alteration or insertion anywhere is caught, at the right row', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.nat(), fc.constantFrom('delete', 'alter', 'insert', 'orphan'), (n, size, k, op) => {
        const log = chain(n, size);
        const recorded = headOf(log);
        const positions = log.blocks.flatMap((b) => b.pos);
        const pos = positions[k % n];
        if (op === 'alter') {
          expect(walk(withRows(log, (r) => r.set(pos, `${r.get(pos)} `)), recorded).first).toMatchObject({ kind: 'altered', at: pos });
        } else if (op === 'delete') {
          expect(walk(withRows(log, (r) => r.delete(pos)), recorded).first).toMatchObject({ kind: 'deleted', at: pos });
        } else if (op === 'orphan') {
          expect(walk(withRows(log, (r) => r.set('1', '{}')), recorded, ['1']).first).toMatchObject({ kind: 'inserted', at: '1' });
        } else {
          const at = k % (log.blocks.length + 1);
          const first = walk(spliced(log, at, '1'), recorded).first;
          expect(first).toMatchObject(at === log.blocks.length ? { kind: 'head_mismatch' } : { kind: 'inserted', at: '1' });
        }
      }),
    );
  });
});
