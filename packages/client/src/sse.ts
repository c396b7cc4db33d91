/** One Server-Sent Event as the WHATWG rules assemble it. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

export type SseItem = { kind: 'event'; message: SseMessage } | { kind: 'comment'; text: string } | { kind: 'retry'; ms: number };

/**
 * An incremental `text/event-stream` parser: feed it text as it arrives, in chunks that may split
 * a line anywhere (a CRLF included); it returns what each chunk completed. `id:`, `event:`,
 * `data:` (multi-line), `retry:` and comments (`: hb`) as the HTML standard defines them.
 */
export class SseParser {
  private buffer = '';
  private id: string | undefined;
  private event: string | undefined;
  private data: string[] = [];

  feed(chunk: string): SseItem[] {
    this.buffer += chunk;
    const out: SseItem[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl === -1) break;
      // A lone CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (this.buffer[nl] === '\r' && nl === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(this.buffer[nl] === '\r' && this.buffer[nl + 1] === '\n' ? nl + 2 : nl + 1);
      this.line(line, out);
    }
    return out;
  }

  private line(line: string, out: SseItem[]): void {
    if (line === '') {
      if (this.data.length || this.event !== undefined) out.push({ kind: 'event', message: { id: this.id, event: this.event ?? 'message', data: this.data.join('\n') } });
      this.event = undefined;
      this.data = [];
      this.id = undefined;
      return;
    }
    if (line.startsWith(':')) {
      out.push({ kind: 'comment', text: line.slice(1).trim() });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) out.push({ kind: 'retry', ms: Number(value) });
  }
}
