import { regressionAttention, type RegressionReviewSection } from './regression-review.render.js';

const state = (metric: string, status: string, action: string | null): RegressionReviewSection['current_states'][number] => ({
  domain: 'D',
  metric,
  status,
  action,
  action_status: 'none',
  triggered_at: null,
  trigger_count: 0,
});
const section = (current_states: RegressionReviewSection['current_states']): RegressionReviewSection => ({ fired: 0, actions_taken: [], actions_failed: 0, re_enables: 0, by_stream: [], timeline: [], current_states });

describe('tripwire review section: needs attention', () => {
  it('lists every stream still triggered, with its action when it has one', () => {
    const items = regressionAttention(section([state('m', 'triggered', 'THROTTLE'), state('n', 'ok', null), state('o', 'triggered', null)]));
    const link = { href: '/console/tripwires', action: 'Reset or re-enable on Tripwires' };
    expect(items).toEqual([
      { kind: 'tripwire_triggered', subject: 'tripwire:D/m', message: 'tripwire D/m is still triggered (THROTTLE)', ...link },
      { kind: 'tripwire_triggered', subject: 'tripwire:D/o', message: 'tripwire D/o is still triggered', ...link },
    ]);
  });

  it('is empty when no stream is triggered', () => {
    expect(regressionAttention(section([]))).toEqual([]);
    expect(regressionAttention(section([state('n', 'ok', null)]))).toEqual([]);
  });
});
