import { headroom, scopeHeadroom, sumDecimals, trimDecimal } from './headroom.js';

describe('headroom', () => {
  it('is cap - used, exactly, and null for an unlimited cap', () => {
    expect(headroom('100', '0.1')).toBe('99.9');
    expect(headroom('1', '1.0001')).toBe('-0.0001');
    expect(headroom(null, '5')).toBeNull();
  });

  it('sums decimals exactly and trims trailing zeros', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals([])).toBe('0');
    expect(trimDecimal('10.5000')).toBe('10.5');
  });

  it('a scope\'s headroom per cap', () => {
    const caps = { max_daily_exposure: '10', max_open_risk: null, max_daily_loss: '5', max_actions_per_day: 3 };
    const usage = { exposure_used: '2.5', open_risk_reserved: '1', realized_loss: '0', actions_count: 1 };
    expect(scopeHeadroom(caps, usage)).toEqual({ exposure: '7.5', open_risk: null, loss: '5', actions: 2 });
  });
});
