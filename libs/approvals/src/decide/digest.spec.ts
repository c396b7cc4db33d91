import fc from 'fast-check';
import { approvalPayloadDigest } from './digest.js';

describe('approvalPayloadDigest', () => {
  it('ignores key order; any change of kind, subject or a payload value is another digest', () => {
    expect(approvalPayloadDigest('manual', 's', { a: 1, b: [1, 2] })).toBe(approvalPayloadDigest('manual', 's', { b: [1, 2], a: 1 }));
    expect(approvalPayloadDigest('manual', 's', undefined)).toBe(approvalPayloadDigest('manual', 's', {}));
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), fc.string(), fc.string(), (subject, p, v, w) => {
        const a = approvalPayloadDigest('manual', subject, p);
        expect(approvalPayloadDigest('engine_reenable', subject, p)).not.toBe(a);
        expect(approvalPayloadDigest('manual', `${subject}x`, p)).not.toBe(a);
        if (v !== w) expect(approvalPayloadDigest('manual', subject, { v })).not.toBe(approvalPayloadDigest('manual', subject, { v: w }));
      }),
    );
  });
});
