import { pyFloatRepr } from './canonical-json.js';
import { overrideDigest } from './digest.js';
import { canonicalOverrideData, overrideKeyBytes, signOverrideData, verifyOverride } from './override.js';
import { PromotionInputError } from './types.js';

// Expected values computed with CPython 3.11: json.dumps(d, sort_keys=True, separators=(",", ":"))
// and hmac.new(b"secret", ..., hashlib.sha256).hexdigest() — menace's generate_signature.
const PY = {
  promote: { canon: '{"verdict":"promote"}', sig: 'dcec82d218fadce56ca5cc4234396b6b87636a029fa43b2cefbc7ba7fd037dfb' },
  bypass: { canon: '{"bypass_micro_pilot":true}', sig: 'f53954eeeb41fee51ab7f3cb7a76c8e45523983c93334848b245652541a3bb37' },
  mixed: {
    file: '{"z": 1, "a": [1.0, 2.5, 1e16, 1e-5, 0.0001, -0.0, 123456789012345678901234567890], "\u00e9": "\u00fc\ud83d\ude00", "m": {"b": null, "a": false}}',
    canon: '{"a":[1.0,2.5,1e+16,1e-05,0.0001,-0.0,123456789012345678901234567890],"m":{"a":false,"b":null},"z":1,"\\u00e9":"\\u00fc\\ud83d\\ude00"}',
    sig: '5d2639f61a902b0e8c35e15005666d11a2b3f6bed8c87f3f714a660e118b989b',
  },
  escapes: {
    data: { forced_verdict: 'no_go', reason: 'line\nbreak "q" \\ \t\x7f\x01' },
    canon: '{"forced_verdict":"no_go","reason":"line\\nbreak \\"q\\" \\\\ \\t\\u007f\\u0001"}',
    sig: '648c15d384f4ab77be0c9072b8b03b863c21a03915188e890a4c8c8c5c510262',
  },
};

const file = (data: unknown, signature: string, extra: Record<string, unknown> = {}) => JSON.stringify({ data, signature, ...extra });

describe('override canonical form and signature (menace override_validator)', () => {
  it('serialises data exactly as Python json.dumps(sort_keys, compact) and signs it the same', () => {
    expect(canonicalOverrideData({ verdict: 'promote' })).toBe(PY.promote.canon);
    expect(signOverrideData({ verdict: 'promote' }, 'secret')).toBe(PY.promote.sig);
    expect(signOverrideData({ bypass_micro_pilot: true }, 'secret')).toBe(PY.bypass.sig);
    expect(canonicalOverrideData(PY.escapes.data)).toBe(PY.escapes.canon);
    expect(signOverrideData(PY.escapes.data, 'secret')).toBe(PY.escapes.sig);
  });

  it('keeps the file spelling of numbers (1.0 stays a float) when verifying a file', () => {
    const v = verifyOverride(`{"data": ${PY.mixed.file}, "signature": "${PY.mixed.sig}"}`, 'secret');
    expect(v.data.z).toBe(1);
    expect(v.signature).toBe(PY.mixed.sig);
  });

  it("writes floats as Python's repr", () => {
    const cases: [number, string][] = [
      [1, '1.0'], [2.5, '2.5'], [1e16, '1e+16'], [1e15, '1000000000000000.0'], [123456789.125, '123456789.125'],
      [1e-5, '1e-05'], [0.0001, '0.0001'], [0.1 + 0.2, '0.30000000000000004'], [-1.5e-10, '-1.5e-10'], [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'], [1e22, '1e+22'], [100, '100.0'], [-0, '-0.0'],
    ];
    for (const [v, s] of cases) expect(pyFloatRepr(v)).toBe(s);
  });

  it('accepts a valid signature, with the key stripped of surrounding whitespace as menace reads it', () => {
    const v = verifyOverride(file({ verdict: 'promote' }, PY.promote.sig), 'secret\n', { source: 'o.json' });
    expect(v.data).toEqual({ verdict: 'promote' });
    expect(v.digest).toBe(overrideDigest(PY.promote.sig));
    expect(v.source).toBe('o.json');
    expect(overrideKeyBytes('  \tsecret \r\n').toString()).toBe('secret');
  });

  it('refuses a bad signature, another key, changed data and upper-case hex', () => {
    const refused = (f: string, key = 'secret') => {
      try {
        verifyOverride(f, key);
      } catch (err) {
        return (err as PromotionInputError).code;
      }
      return 'accepted';
    };
    expect(refused(file({ verdict: 'promote' }, '0'.repeat(64)))).toBe('override_bad_signature');
    expect(refused(file({ verdict: 'promote' }, PY.promote.sig), 'other')).toBe('override_bad_signature');
    expect(refused(file({ verdict: 'demote' }, PY.promote.sig))).toBe('override_bad_signature');
    expect(refused(file({ verdict: 'promote' }, PY.promote.sig.toUpperCase()))).toBe('override_bad_signature');
    expect(refused(file({ verdict: 'promote' }, 'short'))).toBe('override_bad_signature');
  });

  it('refuses malformed and used files', () => {
    const code = (f: string) => {
      try {
        verifyOverride(f, 'secret');
        return 'accepted';
      } catch (err) {
        return (err as PromotionInputError).code;
      }
    };
    expect(code('not json')).toBe('invalid_override');
    expect(code('{"data": [], "signature": "x"}')).toBe('invalid_override');
    expect(code('{"data": {"verdict": "promote"}}')).toBe('invalid_override');
    expect(code('{"data": {"verdict": "promote"}, "signature": 5}')).toBe('invalid_override');
    expect(code(file({ verdict: 'promote' }, PY.promote.sig, { used: true }))).toBe('override_already_used');
    expect(code(file({ verdict: 'promote' }, PY.promote.sig, { used: false }))).toBe('accepted');
    expect(() => signOverrideData({ a: 1 }, '  \n')).toThrow(PromotionInputError);
  });

  it('digests the signature for single use: the same data signed again has the same digest', () => {
    const a = verifyOverride(file({ verdict: 'promote' }, PY.promote.sig), 'secret');
    const b = verifyOverride(`{ "signature" : "${PY.promote.sig}",\n "data": {"verdict":"promote"} }`, 'secret');
    expect(a.digest).toBe(b.digest);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(overrideDigest('x')).not.toBe(a.digest);
  });
});
