import fc from 'fast-check';
import { type ChainRow, ChainWalker, GENESIS_HASH, rowHash } from './audit-chain.walk.js';

/** A chain as the trigger writes it: positions 2, 4, 6, ... (the trigger's sequence draws leave gaps). */
function chain(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let i = 0; i < n; i++) {
    const canonical = JSON.stringify({ id: 2 * (i + 1), action: `a${i}` });
    const row = { pos: String(2 * (i + 1)), prev_hash: prev, row_hash: rowHash(prev, canonical), canonical };
    rows.push(row);
    prev = row.row_hash;
  }
  return rows;
}

function walk(rows: ChainRow[], recorded: { rows: number; head_hash: string } | null) {
  const w = new ChainWalker();
  for (let i = 0; i < rows.length; i++) w.step(rows, i);
  const head = w.finish(recorded);
  return { first: w.firstBreak, breaks: w.breaks, head };
}

const headOf = (rows: ChainRow[]) => ({ rows: rows.length, head_hash: rows.length ? rows[rows.length - 1].row_hash : GENESIS_HASH });

describe('ChainWalker', () => {
  it('an intact chain: no break, the head it walked to is the recorded one', () => {
    const rows = chain(5);
    expect(walk(rows, headOf(rows))).toEqual({ first: null, breaks: 0, head: headOf(rows) });
    expect(walk([], headOf([]))).toEqual({ first: null, breaks: 0, head: { rows: 0, head_hash: GENESIS_HASH } });
  });

  it('rowHash is SHA-256 over the previous hash bytes, then the canonical text in UTF-8', () => {
    // sha256(32 zero bytes || "é") computed independently (printf '\0...\0é' | sha256sum)
    expect(rowHash(GENESIS_HASH, '')).toBe('66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925');
    expect(rowHash(GENESIS_HASH, 'é')).not.toBe(rowHash(GENESIS_HASH, 'e'));
  });

  it('names an altered, an inserted, a deleted and a reordered row, and a removed tail', () => {
    const rows = chain(6);
    const recorded = headOf(rows);
    const altered = rows.map((r, i) => (i === 2 ? { ...r, canonical: r.canonical.replace('a2', 'forged') } : r));
    expect(walk(altered, recorded).first).toMatchObject({ kind: 'altered', at: '6' });

    const forgedCanonical = '{"id":5,"action":"forged"}';
    const inserted = [...rows.slice(0, 2), { pos: '5', prev_hash: rows[1].row_hash, row_hash: rowHash(rows[1].row_hash, forgedCanonical), canonical: forgedCanonical }, ...rows.slice(2)];
    expect(walk(inserted, recorded).first).toMatchObject({ kind: 'inserted', at: '5' });
    const fake = [...rows.slice(0, 2), { pos: '5', prev_hash: 'a'.repeat(64), row_hash: 'b'.repeat(64), canonical: forgedCanonical }, ...rows.slice(2)];
    expect(walk(fake, recorded).first).toMatchObject({ kind: 'inserted', at: '5' });

    expect(walk([...rows.slice(0, 2), ...rows.slice(3)], recorded).first).toMatchObject({ kind: 'deleted', at: '8' });
    expect(walk(rows.slice(1), recorded).first).toMatchObject({ kind: 'deleted', at: '4' });
    expect(walk(rows.slice(0, 5), recorded).first).toMatchObject({ kind: 'deleted', at: null });
    expect(walk([rows[0], rows[2], rows[1], ...rows.slice(3)], recorded).first).toMatchObject({ kind: 'reordered', at: '6' });
    expect(walk(rows, { rows: 6, head_hash: 'c'.repeat(64) }).first).toMatchObject({ kind: 'head_mismatch' });
  });

  it('property: any one deletion, alteration or insertion anywhere is caught, at the right row', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.constantFrom('delete', 'alter', 'insert'), (n, k, op) => {
        const rows = chain(n);
        const i = k % n;
        const recorded = headOf(rows);
        if (op === 'alter') {
          const tampered = rows.map((r, j) => (j === i ? { ...r, canonical: `${r.canonical} ` } : r));
          expect(walk(tampered, recorded).first).toMatchObject({ kind: 'altered', at: rows[i].pos });
        } else if (op === 'delete') {
          const tampered = rows.filter((_, j) => j !== i);
          expect(walk(tampered, recorded).first).toMatchObject({ kind: 'deleted', at: i < n - 1 ? rows[i + 1].pos : null });
        } else {
          const prev = i === 0 ? GENESIS_HASH : rows[i - 1].row_hash;
          const forged = { pos: String(Number(rows[i].pos) - 1), prev_hash: prev, row_hash: rowHash(prev, 'forged'), canonical: 'forged' };
          const tampered = [...rows.slice(0, i), forged, ...rows.slice(i)];
          expect(walk(tampered, recorded).first).toMatchObject({ kind: 'inserted', at: forged.pos });
        }
      }),
    );
  });
});
