import fc from 'fast-check';
import { parseAmount } from './amount.js';

describe('parseAmount', () => {
  it.each([
    ['10', '10'],
    [10, '10'],
    ['10.50', '10.5'],
    [10.5, '10.5'],
    ['0010.0100', '10.01'],
    ['0.0001', '0.0001'],
    ['123456789012345', '123456789012345'],
    ['12345678901.2345', '12345678901.2345'],
    ['1.00000', '1'],
    [0.1, '0.1'],
  ])('accepts %p as %p', (input, value) => {
    expect(parseAmount(input)).toEqual({ ok: true, value });
  });

  it.each([
    [-1, 'negative'],
    ['-1', 'negative'],
    [0, 'greater than 0'],
    ['0.0000', 'greater than 0'],
    ['abc', 'plain decimal'],
    ['1e5', 'plain decimal'],
    [1e21, 'plain decimal'],
    [' 1', 'plain decimal'],
    ['1.', 'plain decimal'],
    ['.5', 'plain decimal'],
    ['+1', 'plain decimal'],
    ['1.23456', 'fraction digits'],
    [0.00001, 'fraction digits'],
    [1e-7, 'plain decimal'],
    ['1234567890123456', 'significant digits'],
    ['123456789012.3456', 'significant digits'],
    ['9'.repeat(400), 'significant digits'],
    [Number.NaN, 'finite'],
    [Number.POSITIVE_INFINITY, 'finite'],
    [null, 'decimal number or a decimal string'],
    [true, 'decimal number or a decimal string'],
    [{}, 'decimal number or a decimal string'],
  ])('refuses %p (%s)', (input, problem) => {
    const parsed = parseAmount(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(problem);
  });

  it('accepts 0 only when asked', () => {
    expect(parseAmount('0', { allowZero: true })).toEqual({ ok: true, value: '0' });
    expect(parseAmount(0, { allowZero: true })).toEqual({ ok: true, value: '0' });
  });

  it('a number and its decimal string always parse to the same canonical value (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n - 1n }), fc.integer({ min: 0, max: 4 }), (units, scale) => {
        const s = units.toString().padStart(scale + 1, '0');
        const text = scale ? `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}` : s;
        const fromString = parseAmount(text);
        const fromNumber = parseAmount(Number(text));
        return fromString.ok && fromNumber.ok && fromString.value === fromNumber.value;
      }),
    );
  });
});
