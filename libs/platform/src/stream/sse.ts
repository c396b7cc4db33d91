/**
 * Server-Sent Events framing (WHATWG HTML, "Server-sent events"): `id:`, `event:` and one `data:`
 * line per line of the payload, a blank line ends the event; a line starting with `:` is a comment
 * (the heartbeat). JSON payloads have no raw newlines, but the framing does not rely on it.
 */
export function sseEvent(fields: { id?: string; event: string; data: unknown }): string {
  let frame = '';
  if (fields.id !== undefined) frame += `id: ${oneLine(fields.id)}\n`;
  frame += `event: ${oneLine(fields.event)}\n`;
  const text = typeof fields.data === 'string' ? fields.data : JSON.stringify(fields.data);
  for (const line of text.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

export function sseComment(text: string): string {
  return `: ${oneLine(text)}\n\n`;
}

/** How long a client waits before reconnecting after the connection drops (EventSource honours it). */
export function sseRetry(ms: number): string {
  return `retry: ${Math.trunc(ms)}\n\n`;
}

/** `Last-Event-ID` as this stream writes it: a positive decimal id; anything else is no position. */
export function parseLastEventId(header: string | string[] | undefined): number | 'invalid' | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (!/^\d{1,15}$/.test(v)) return 'invalid';
  return Number(v);
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}
