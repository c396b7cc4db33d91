import { parseLastEventId, sseComment, sseEvent, sseRetry } from './sse.js';

describe('SSE framing', () => {
  it('frames an event with its id, type and JSON data, ended by a blank line', () => {
    expect(sseEvent({ id: '42', event: 'kill_switch.engaged', data: { a: 1 } })).toBe('id: 42\nevent: kill_switch.engaged\ndata: {"a":1}\n\n');
  });

  it('splits a multi-line payload into data lines and keeps fields on one line', () => {
    expect(sseEvent({ event: 'x\ny', data: 'a\nb' })).toBe('event: x y\ndata: a\ndata: b\n\n');
  });

  it('comments and retry', () => {
    expect(sseComment('hb')).toBe(': hb\n\n');
    expect(sseRetry(2000.7)).toBe('retry: 2000\n\n');
  });

  it('reads Last-Event-ID', () => {
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId(' ')).toBeUndefined();
    expect(parseLastEventId('17')).toBe(17);
    expect(parseLastEventId(['9'])).toBe(9);
    expect(parseLastEventId('-1')).toBe('invalid');
    expect(parseLastEventId('1e3')).toBe('invalid');
    expect(parseLastEventId('9'.repeat(16))).toBe('invalid');
  });
});
