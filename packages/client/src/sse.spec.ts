import { SseParser, type SseItem } from './sse.js';

const events = (items: SseItem[]) => items.filter((i) => i.kind === 'event').map((i) => (i as Extract<SseItem, { kind: 'event' }>).message);

describe('SseParser', () => {
  const wire = 'retry: 1000\n\nid: 41\nevent: snapshot\ndata: {"position":"41"}\n\n: hb\n\nid: 42\r\nevent: kill_switch.engaged\r\ndata: {"a":\r\ndata: 1}\r\n\r\n';

  it('reads events, comments and retry as the server frames them', () => {
    const items = new SseParser().feed(wire);
    expect(items).toEqual([
      { kind: 'retry', ms: 1000 },
      { kind: 'event', message: { id: '41', event: 'snapshot', data: '{"position":"41"}' } },
      { kind: 'comment', text: 'hb' },
      { kind: 'event', message: { id: '42', event: 'kill_switch.engaged', data: '{"a":\n1}' } },
    ]);
  });

  it('gives the same result whatever the chunking (a CRLF split across chunks included)', () => {
    const whole = new SseParser().feed(wire);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const got: SseItem[] = [];
      for (let i = 0; i < wire.length; i += size) got.push(...parser.feed(wire.slice(i, i + size)));
      expect(got).toEqual(whole);
    }
  });

  it('holds an incomplete event until its blank line, and drops an event with no data nor type', () => {
    const parser = new SseParser();
    expect(events(parser.feed('id: 1\ndata: x\n'))).toEqual([]);
    expect(events(parser.feed('\n'))).toEqual([{ id: '1', event: 'message', data: 'x' }]);
    expect(events(parser.feed('id: 2\n\n'))).toEqual([]);
    expect(parser.feed('retry: soon\n\n')).toEqual([]);
  });
});
