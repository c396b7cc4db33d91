import { DEFAULT_ALPHA } from '../regression-tripwire.constants.js';
import { mergePolicy, type PolicyValues } from './policy-values.js';

const existing: PolicyValues = { domain: 'D', metric: 'm', enabled: true, window_events: 30, baseline_events: 90, min_events: 30, max_drop_fraction: 0.1, action: 'THROTTLE', target_engine: 'E', alpha: null };

describe('mergePolicy', () => {
  it('a new policy takes the defaults for what is not given', () => {
    expect(mergePolicy({ domain: 'D', metric: 'm', max_drop_fraction: 0.2, action: 'ALERT' }, undefined)).toEqual({
      values: { domain: 'D', metric: 'm', enabled: false, window_events: 50, baseline_events: 200, min_events: 50, max_drop_fraction: 0.2, action: 'ALERT', target_engine: 'D', alpha: DEFAULT_ALPHA },
    });
  });

  it('a change keeps what is not given; alpha null is a value, alpha left out keeps the current one', () => {
    expect(mergePolicy({ domain: 'D', metric: 'm', enabled: false }, existing)).toEqual({ values: { ...existing, enabled: false } });
    expect(mergePolicy({ domain: 'D', metric: 'm', alpha: 0.01 }, existing)).toEqual({ values: { ...existing, alpha: 0.01 } });
    expect(mergePolicy({ domain: 'D', metric: 'm', alpha: null }, { ...existing, alpha: 0.01 })).toEqual({ values: existing });
  });

  it('min_events above either window is a problem: the tripwire could never leave insufficient_data', () => {
    expect(mergePolicy({ domain: 'D', metric: 'm', min_events: 31 }, existing)).toMatchObject({ problem: expect.stringContaining('min_events (31)') });
    expect(mergePolicy({ domain: 'D', metric: 'm', max_drop_fraction: 0.2, action: 'ALERT', baseline_events: 40 }, undefined)).toMatchObject({ problem: expect.any(String) });
  });
});
