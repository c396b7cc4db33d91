import { CoalescedRun } from './coalesced-run.js';

describe('CoalescedRun', () => {
  it('never runs the task twice at once, and a burst of kicks during a run asks for one more run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release!: () => void;
    const run = new CoalescedRun(async () => {
      runs += 1;
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => (release = r));
      active -= 1;
    }, () => undefined);
    run.kick();
    for (let i = 0; i < 5; i++) run.kick();
    release();
    await new Promise((r) => setImmediate(r));
    release();
    await run.settled();
    expect({ runs, maxActive }).toEqual({ runs: 2, maxActive: 1 });
  });

  it('reports a failed run and keeps working', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const run = new CoalescedRun(async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    }, (e) => errors.push(e));
    run.kick();
    await run.settled();
    run.kick();
    await run.settled();
    expect({ calls, errors: errors.map(String) }).toEqual({ calls: 2, errors: ['Error: boom'] });
  });
});
