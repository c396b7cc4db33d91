import fc from 'fast-check';
import { judgeNumber, MAX_JSON_DEPTH, scanJson } from './json-scan.js';
import { parseInteger } from './validation.js';

/** A double written out in plain decimal notation, however long (5e-324 has 324 fraction digits). */
function plainDecimal(d: number): string {
  const s = String(Math.abs(d));
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s)!;
  const digits = m[1] + (m[2] ?? '');
  const point = m[1].length + Number(m[3] ?? 0);
  let text: string;
  if (point <= 0) {
    text = `0.${'0'.repeat(-point)}${digits}`;
  } else if (point >= digits.length) {
    text = digits + '0'.repeat(point - digits.length);
  } else {
    text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  text = text.replace(/^0+(?=\d)/, '');
  return (d < 0 ? '-' : '') + text;
}

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

describe('number source rule', () => {
  it('accepts every finite double as JSON.stringify writes it, and parses it to the same double', () => {
    fc.assert(
      fc.property(finite, (d) => {
        const text = JSON.stringify(d);
        const verdict = judgeNumber(text);
        return (verdict === 'canonical' || verdict === 'exact') && Object.is(JSON.parse(text), Object.is(d, -0) ? 0 : d);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts the plain decimal spelling of every finite double, and trailing zeros, as exact', () => {
    fc.assert(
      fc.property(finite, fc.integer({ min: 0, max: 3 }), (d, zeros) => {
        let text = plainDecimal(d);
        if (zeros) text += (text.includes('.') ? '' : '.') + '0'.repeat(zeros);
        const verdict = judgeNumber(text);
        return verdict === 'canonical' || verdict === 'exact';
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses any spelling with more significant digits than the shortest round trip (JSON.parse would change it)', () => {
    fc.assert(
      fc.property(finite, fc.integer({ min: 1, max: 9 }), (d, digit) => {
        fc.pre(d !== 0);
        const plain = plainDecimal(d);
        // 18+ significant digits can never be the shortest form of a double (17 always suffice).
        const text = `${plain}${plain.includes('.') ? '' : '.'}${'0'.repeat(18)}${digit}`;
        return judgeNumber(text) === 'inexact';
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['1000', 'canonical'],
    ['1.5', 'canonical'],
    ['1.50', 'exact'],
    ['1e3', 'exact'],
    ['-0', 'exact'],
    ['0.0000001', 'exact'],
    ['1.00000000000000001', 'inexact'],
    ['9007199254740993', 'inexact'],
    ['1e400', 'inexact'],
    ['1e-400', 'inexact'],
    ['0x10', 'not_a_number'],
    ['01', 'not_a_number'],
  ])('%s is %s', (text, verdict) => {
    expect(judgeNumber(text)).toBe(verdict);
  });
});

describe('JSON scan', () => {
  it('names the path of an inexact number and records the spelling of exact ones', () => {
    expect(scanJson('{"a":[1,{"b":1.00000000000000001}]}').problem).toMatchObject({ code: 'invalid_number', path: ['a', 1, 'b'] });
    expect(scanJson('{"x":"1.00000000000000001","events":[{"value":2},{"value":1e3}]}')).toEqual({
      numbers: [{ path: ['events', 1, 'value'], text: '1e3' }],
    });
  });

  it('counts depth without recursion: 64 levels pass, 65 and 5,000 are refused', () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(scanJson(nest(MAX_JSON_DEPTH)).problem).toBeUndefined();
    expect(scanJson(nest(MAX_JSON_DEPTH + 1)).problem?.code).toBe('invalid_json');
    expect(scanJson(`{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5001)}`).problem?.code).toBe('invalid_json');
    expect(scanJson('"[[[[{{{{"').problem).toBeUndefined();
  });

  it('refuses NUL and unpaired surrogates inside strings and keys, escaped or raw, but not escaped text that only looks like them', () => {
    for (const text of ['{"r":"a\\u0000b"}', '{"a\\u0000":1}', '["x\\ud800y"]', '["\\udc00"]', '["\\ud800"]', '["\\ud800\\n"]', '["a\u0000"]', '["\ud800"]']) {
      expect(scanJson(text).problem?.code).toBe('invalid_string');
    }
    for (const text of ['["\\\\u0000"]', '["\\ud83d\\ude00"]', '["😀"]', '["\\ud83d\ude00"]', '{"a\\"b":"\\\\"}']) {
      expect(scanJson(text).problem).toBeUndefined();
    }
  });

  it('finds a NUL in any string JSON.stringify writes, wherever it is, and only then', () => {
    // Single code units, lone surrogates and NUL included, beside whole characters and JSON's own specials.
    const unit = fc.oneof(fc.constantFrom('\u0000', '\ud800', '\udc00', '"', '\\', 'u'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    const str = fc.string({ unit, maxLength: 12 });
    fc.assert(
      fc.property(fc.dictionary(str, fc.oneof(str, fc.array(str, { maxLength: 3 }), fc.double())), (value) => {
        const text = JSON.stringify(value);
        const all = [...Object.keys(value), ...Object.values(value).flat().filter((v): v is string => typeof v === 'string')];
        const bad = all.some((s) => s.includes('\u0000') || !(s as string & { isWellFormed(): boolean }).isWellFormed());
        return (scanJson(text).problem?.code === 'invalid_string') === bad;
      }),
      { numRuns: 500 },
    );
  });

  it('leaves text that is not JSON to JSON.parse', () => {
    for (const text of ['{', '"unterminated', '[1,,2]', 'nul', '{"a" 1}']) {
      expect(() => scanJson(text)).not.toThrow();
    }
  });
});

describe('integer rule', () => {
  it.each([[''], ['   '], [false], [true], ['-0'], ['0x10'], ['1e3'], ['1.0'], [' 5'], ['05'], ['+5'], [1.5], [Number.NaN], [[5]], [{}], ['9007199254740993']])(
    'refuses %p',
    (input) => {
      expect(parseInteger(input).ok).toBe(false);
    },
  );

  it('refuses a JSON number written other than as an integer', () => {
    expect(parseInteger(1000, '1e3').ok).toBe(false);
    expect(parseInteger(1, '1.0').ok).toBe(false);
    expect(parseInteger(0, '-0').ok).toBe(false);
  });

  it('accepts JSON integers and canonical decimal strings', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const fromNumber = parseInteger(n);
        const fromString = parseInteger(String(n));
        return fromNumber.ok && fromString.ok && fromNumber.value === n && fromString.value === n;
      }),
    );
  });
});
