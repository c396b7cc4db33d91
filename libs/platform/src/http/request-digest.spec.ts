import fc from 'fast-check';
import { requestDigest } from './request-digest.js';

describe('requestDigest', () => {
  it('ignores key order and number spelling, and keeps kinds apart', () => {
    expect(requestDigest('reserve', { engine: 'A', amount: '1.5', reason: null })).toBe(requestDigest('reserve', { reason: null, amount: '1.5', engine: 'A' }));
    expect(requestDigest('trial', { x: 1.0 })).toBe(requestDigest('trial', { x: 1 }));
    expect(requestDigest('reserve', { engine: 'A' })).not.toBe(requestDigest('settle', { engine: 'A' }));
  });

  it('tells apart any two different field maps', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))), fc.string(), fc.string(), (fields, key, value) => {
        fc.pre(fields[key] !== value);
        expect(requestDigest('k', { ...fields, [key]: value })).not.toBe(requestDigest('k', fields));
      }),
    );
  });
});
