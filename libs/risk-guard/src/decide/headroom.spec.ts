import { headroom, sumDecimals, trimDecimal } from './headroom.js';

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
});
