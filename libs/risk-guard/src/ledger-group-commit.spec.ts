import { GroupCommit as Batcher } from '#platform';

describe('Batcher', () => {
  it('groups calls that arrive while a batch is in flight, and answers each caller with its own result', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>(
      async (items) => {
        batches.push(items);
        await new Promise((r) => setTimeout(r, 5));
        return items.map((i) => i * 2);
      },
      { maxBatch: 3, maxInFlight: 1 },
    );
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => b.submit(n)));
    expect(results).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
  });

  it('never puts two calls with the same key in one batch', async () => {
    const batches: string[][] = [];
    const b = new Batcher<string, string>(
      async (items) => {
        batches.push(items);
        return items;
      },
      { maxBatch: 10, maxInFlight: 1, key: (s) => s },
    );
    await Promise.all(['x', 'a', 'a', 'b', 'a'].map((s) => b.submit(s)));
    for (const batch of batches) expect(new Set(batch).size).toBe(batch.length);
  });

  it('retries a failed batch in halves so one bad request fails alone', async () => {
    const b = new Batcher<number, number>(
      async (items) => {
        if (items.includes(13)) throw new Error('bad 13');
        return items;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const first = b.submit(0);
    const results = await Promise.allSettled([first, ...[11, 12, 13, 14].map((n) => b.submit(n))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  });

  it('a batch whose statement timed out fails every request at once and is not retried one by one', async () => {
    const calls: number[][] = [];
    const deadline = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const b = new Batcher<number, number>(
      async (items) => {
        calls.push(items);
        if (items.includes(12)) throw deadline;
        return items;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const first = b.submit(0);
    const results = await Promise.allSettled([first, ...[11, 12, 13].map((n) => b.submit(n))]);
    expect(results).toEqual([{ status: 'fulfilled', value: 0 }, ...[11, 12, 13].map(() => ({ status: 'rejected', reason: deadline }))]);
    expect(calls).toEqual([[0], [11, 12, 13]]);
  });
});
