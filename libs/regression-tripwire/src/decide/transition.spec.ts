import { type PreviousState, transition } from './transition.js';

const now = new Date('2031-01-01T12:00:00Z');
const prev = (over: Partial<PreviousState> = {}): PreviousState => ({ status: 'ok', trigger_count: 0, action_status: 'none', action_claimed_at: null, ...over });

describe('transition', () => {
  it('entering triggered is a new trigger; staying triggered with the action done does nothing', () => {
    expect(transition(prev(), 'triggered', now, 60_000)).toEqual({ entering: true, retry: false, triggerCount: 1 });
    expect(transition(prev({ status: 'triggered', trigger_count: 1, action_status: 'done' }), 'triggered', now, 60_000)).toEqual({ entering: false, retry: false, triggerCount: 1 });
  });

  it('a failed action, or a pending one whose claim went stale, is retried while triggered', () => {
    const failed = prev({ status: 'triggered', trigger_count: 2, action_status: 'failed' });
    expect(transition(failed, 'triggered', now, 60_000)).toEqual({ entering: false, retry: true, triggerCount: 2 });
    const stale = prev({ status: 'triggered', trigger_count: 2, action_status: 'pending', action_claimed_at: new Date(now.getTime() - 60_001) });
    expect(transition(stale, 'triggered', now, 60_000).retry).toBe(true);
    const fresh = { ...stale, action_claimed_at: new Date(now.getTime() - 1_000) };
    expect(transition(fresh, 'triggered', now, 60_000).retry).toBe(false);
  });

  it('never acts when the verdict is not triggered', () => {
    for (const status of ['ok', 'insufficient_data', 'disabled'] as const) {
      expect(transition(prev({ status: 'triggered', action_status: 'failed', trigger_count: 1 }), status, now, 60_000)).toEqual({ entering: false, retry: false, triggerCount: 1 });
    }
  });
});
