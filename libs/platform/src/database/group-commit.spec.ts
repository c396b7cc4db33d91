import fc from 'fast-check';
import { QueryDeadlineError } from './guarded-client.js';
import { GroupCommit, isInfrastructureFailure } from './group-commit.js';
import { DatabaseUnavailableError } from './database-gate.js';
import { WardenError } from '../errors/warden-error.js';

class PoisonError extends Error {
  constructor(readonly items: number[]) {
    super(`poison ${items.join(',')}`);
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * A fake statement: all-or-nothing like one SQL call. It fails with a row error when the batch holds a
 * poison item, with an infrastructure error once the "database" is down, else commits every item.
 */
function fakeDatabase(options: { poison?: Iterable<number>; downFromCall?: number; delays?: number[] }) {
  const poison = new Set(options.poison ?? []);
  const calls: Array<{ items: number[]; outcome: 'committed' | 'poison' | 'infra' }> = [];
  const committed: number[] = [];
  let active = 0;
  let maxActive = 0;
  const infra = new QueryDeadlineError(1000, 'before_commit');
  const execute = async (items: number[]): Promise<string[]> => {
    const call = calls.length;
    active++;
    maxActive = Math.max(maxActive, active);
    try {
      for (let i = 0; i < (options.delays?.[call % options.delays.length] ?? 0); i++) await tick();
      if (options.downFromCall !== undefined && call >= options.downFromCall) {
        calls.push({ items, outcome: 'infra' });
        throw infra;
      }
      const bad = items.filter((i) => poison.has(i));
      if (bad.length > 0) {
        calls.push({ items, outcome: 'poison' });
        throw new PoisonError(bad);
      }
      calls.push({ items, outcome: 'committed' });
      committed.push(...items);
      return items.map((i) => `r${i}`);
    } finally {
      active--;
    }
  };
  return { execute, calls, committed, infra, maxActive: () => maxActive };
}

describe('GroupCommit', () => {
  it('a lone item goes at once; items that arrive while a batch is in flight share the next one, each answered with its own result', async () => {
    const db = fakeDatabase({ delays: [2] });
    const gc = new GroupCommit(db.execute, { maxBatch: 3, maxInFlight: 1 });
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => gc.submit(n)));
    expect(results).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    expect(db.calls.map((c) => c.items)).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
    expect(gc.pending).toBe(0);
  });

  it('a poison item among good ones fails alone, found by bisection in at most 1 + 2·⌈log2 n⌉ statements', async () => {
    const db = fakeDatabase({ poison: [11] });
    const gc = new GroupCommit(db.execute, { maxBatch: 100, maxInFlight: 1 });
    const first = gc.submit(-1); // in flight: the next 16 queue behind it as one batch
    const rest = Array.from({ length: 16 }, (_, i) => gc.submit(i));
    const settled = await Promise.allSettled([first, ...rest]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', ...Array.from({ length: 16 }, (_, i) => (i === 11 ? 'rejected' : 'fulfilled'))]);
    expect((settled[12] as PromiseRejectedResult).reason).toEqual(new PoisonError([11]));
    expect(db.committed).toEqual([-1, ...Array.from({ length: 16 }, (_, i) => i).filter((i) => i !== 11)]);
    // [-1]; the 16 fail; 0-7 commit; 8-15 fail; 8-11 fail; 8-9 commit; 10-11 fail; 10 commits; 11 fails alone; 12-15 commit.
    expect(db.calls.map((c) => c.items.length)).toEqual([1, 16, 8, 8, 4, 2, 2, 1, 1, 4]);
  });

  it('an infrastructure failure fails every item of the batch with that error, at once, and nothing is sent again', async () => {
    const db = fakeDatabase({ poison: [3], downFromCall: 2 });
    const gc = new GroupCommit(db.execute, { maxBatch: 100, maxInFlight: 1 });
    const first = gc.submit(0);
    const rest = [1, 2, 3, 4, 5, 6].map((n) => gc.submit(n));
    const settled = await Promise.allSettled([first, ...rest]);
    // Call 1 fails on the poison item; its first half (call 2) meets the outage: all six get it, none is retried.
    expect(db.calls.map((c) => [c.items, c.outcome])).toEqual([
      [[0], 'committed'],
      [[1, 2, 3, 4, 5, 6], 'poison'],
      [[1, 2, 3], 'infra'],
    ]);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'r0' });
    for (const s of settled.slice(1)) expect(s).toEqual({ status: 'rejected', reason: db.infra });
  });

  it('classifies what fails closed as infrastructure, and a row the database refuses as not', () => {
    expect(isInfrastructureFailure(new QueryDeadlineError(1000, 'commit_unacknowledged'))).toBe(true);
    expect(isInfrastructureFailure(new DatabaseUnavailableError())).toBe(true);
    expect(isInfrastructureFailure(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(true);
    expect(isInfrastructureFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isInfrastructureFailure(WardenError.unavailable('governance_unavailable', 'failing closed'))).toBe(true);
    expect(isInfrastructureFailure(Object.assign(new Error('violates check constraint'), { code: '23514' }))).toBe(false);
    expect(isInfrastructureFailure(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toBe(false);
    expect(isInfrastructureFailure(WardenError.badRequest('validation_failed', 'bad'))).toBe(false);
  });

  it('property: every item is answered exactly once, committed at most once, and only poison items (or an outage) fail', async () => {
    const scenario = fc.record({
      waves: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
      poisonRate: fc.integer({ min: 0, max: 4 }),
      poisonSeed: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 20 }),
      downFromCall: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      maxBatch: fc.integer({ min: 1, max: 10 }),
      maxInFlight: fc.integer({ min: 1, max: 3 }),
      keys: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      delays: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 10 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const total = s.waves.reduce((a, b) => a + b, 0);
        const poison = Array.from({ length: total }, (_, i) => i).filter((i) => s.poisonSeed[i % s.poisonSeed.length] < s.poisonRate);
        const db = fakeDatabase({ poison, downFromCall: s.downFromCall, delays: s.delays });
        const key = s.keys === undefined ? undefined : (n: number) => String(n % s.keys!);
        const gc = new GroupCommit(db.execute, { maxBatch: s.maxBatch, maxInFlight: s.maxInFlight, key });

        const answers: Array<Promise<PromiseSettledResult<string>>> = [];
        let next = 0;
        for (const size of s.waves) {
          for (let i = 0; i < size; i++) answers.push(Promise.allSettled([gc.submit(next++)]).then(([r]) => r));
          await tick();
        }
        const settled = await Promise.all(answers);

        // Committed at most once, and answered "committed" exactly when it was, with its own result.
        expect(new Set(db.committed).size).toBe(db.committed.length);
        settled.forEach((r, i) => {
          if (r.status === 'fulfilled') expect(r.value).toBe(`r${i}`);
          expect(r.status === 'fulfilled').toBe(db.committed.includes(i));
        });
        // Only a poison item fails with its own error; an outage fails with the outage's error.
        settled.forEach((r, i) => {
          if (r.status === 'fulfilled') return;
          if (r.reason instanceof PoisonError) expect(r.reason.items).toEqual([i]);
          else expect(r.reason).toBe(db.infra);
        });
        if (s.downFromCall === undefined) {
          expect(settled.flatMap((r, i) => (r.status === 'rejected' ? [i] : []))).toEqual(poison);
        }
        // An item that met the outage was never sent again.
        for (let i = 0; i < total; i++) {
          const sent = db.calls.filter((c) => c.items.includes(i));
          const infra = sent.findIndex((c) => c.outcome === 'infra');
          if (infra >= 0) expect(infra).toBe(sent.length - 1);
        }
        // Batching: bounded, in arrival order, no key twice, never more in flight than allowed.
        for (const c of db.calls) {
          expect(c.items.length).toBeLessThanOrEqual(s.maxBatch);
          expect(c.items).toEqual([...c.items].sort((a, b) => a - b));
          if (key) expect(new Set(c.items.map(key)).size).toBe(c.items.length);
        }
        expect(db.maxActive()).toBeLessThanOrEqual(s.maxInFlight);
        // One in flight and no keys: items commit in arrival order, even across bisections.
        if (s.maxInFlight === 1 && !key) expect(db.committed).toEqual([...db.committed].sort((a, b) => a - b));
        expect(gc.pending).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
