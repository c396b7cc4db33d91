import { assignIds, type KpiInput, planKpiBatch, sameEvent } from './kpi-batch.js';

const ev = (over: Partial<KpiInput> = {}): KpiInput => ({ domain: 'D', metric: 'm', success: true, value: null, correlation_id: null, ...over });

describe('planKpiBatch', () => {
  it('keeps each correlation_id once when repeated identically, and events without a key all', () => {
    const events = [ev({ correlation_id: 'a' }), ev(), ev({ correlation_id: 'a' }), ev()];
    const plan = planKpiBatch(events);
    if ('problem' in plan) throw new Error(plan.problem);
    expect(plan.unique).toEqual([events[0], events[1], events[3]]);
    expect(plan.streams).toEqual([{ domain: 'D', metric: 'm', kind: 'success_rate' }]);
  });

  it('the same key with a different event is a conflict, found before kinds are compared', () => {
    expect(planKpiBatch([ev({ correlation_id: 'a' }), ev({ correlation_id: 'a', success: false })])).toEqual({ problem: 'key_reused', correlation_id: 'a' });
    expect(planKpiBatch([ev({ correlation_id: 'a' }), ev({ success: null, value: 1 }), ev({ correlation_id: 'a', success: false })])).toMatchObject({ problem: 'key_reused' });
  });

  it('one stream mixing success and value events is refused, naming the first event that mixes', () => {
    expect(planKpiBatch([ev(), ev({ metric: 'x', success: null, value: 2 }), ev({ success: null, value: 1 })])).toEqual({ problem: 'kinds_mixed', index: 2, stream: 'D/m' });
  });
});

describe('assignIds', () => {
  it('new ids go to new events in request order; a retried key keeps its original id', () => {
    const events = [ev({ correlation_id: 'old' }), ev({ correlation_id: 'n1' }), ev(), ev({ correlation_id: 'n1' })];
    const plan = planKpiBatch(events);
    if ('problem' in plan) throw new Error(plan.problem);
    const ids = assignIds(events, plan, ['12', '9'], new Map([['old', { id: '3' }]]));
    expect(ids).toEqual([
      { id: '3', duplicate: true },
      { id: '9', duplicate: false },
      { id: '12', duplicate: false },
      { id: '9', duplicate: false },
    ]);
  });
});

describe('sameEvent', () => {
  it('compares domain, metric, success and value', () => {
    expect(sameEvent(ev(), ev({ correlation_id: 'x' }))).toBe(true);
    expect(sameEvent(ev(), ev({ success: false }))).toBe(false);
    expect(sameEvent(ev({ success: null, value: 1 }), ev({ success: null, value: 1.5 }))).toBe(false);
  });
});
