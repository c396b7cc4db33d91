// `warden watch`: tails GET /api/governance/stream (docs/stream.md). Prints the snapshot, then one
// line per change; reconnects with Last-Event-ID when the stream drops or falls silent for longer
// than --stale-after (the server's heartbeat is 5 s), so nothing is missed across a drop.
import { API, type WardenHttp } from './client.js';
import { CliError, EXIT } from './exit.js';
import { done, type Outcome } from './output.js';
import { eventLine, snapshotLines } from './render.js';
import { SseParser, type SseMessage } from './sse.js';

export interface WatchOptions {
  json?: boolean;
  /** Resume after this event id instead of starting with a snapshot. */
  since?: string;
  /** Stop after this many change events (the snapshot is not counted). */
  count?: number;
  /** ms of silence after which the stream counts as dead; default 15 s (three heartbeats). */
  staleAfter?: number;
  write?: (text: string) => void;
  note?: (text: string) => void;
}

/** Resolves when --count events were printed; a first connection that fails throws (exit 5/7). */
export async function watch(http: WardenHttp, opts: WatchOptions): Promise<Outcome> {
  const write = opts.write ?? ((t: string) => void process.stdout.write(t));
  const note = opts.note ?? ((t: string) => void process.stderr.write(`warden watch: ${t}\n`));
  const staleAfter = opts.staleAfter ?? 15_000;
  let lastId = opts.since;
  let seen = 0;
  let connected = false;
  for (let attempt = 0; ; attempt++) {
    const abort = new AbortController();
    let silence: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(silence);
      silence = setTimeout(() => abort.abort(new Error(`no byte for ${staleAfter} ms`)), staleAfter);
    };
    try {
      arm();
      const res = await http.open(`${API}/stream`, lastId !== undefined ? { 'last-event-id': lastId } : {}, abort.signal, 'watch');
      connected = true;
      attempt = 0;
      const parser = new SseParser();
      const decoder = new TextDecoder();
      let enough = false;
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        arm();
        for (const m of parser.push(decoder.decode(chunk, { stream: true }), (c) => c.startsWith('resumed') && note(c))) {
          if (m.id !== undefined) lastId = m.id;
          if (enough) break;
          if (printMessage(m, opts.json === true, write) && opts.count !== undefined && ++seen >= opts.count) enough = true;
        }
        // Leaving the loop cancels the body (no abort: an abort would surface here as an error).
        if (enough) break;
      }
      if (enough) return { ...done({}, ''), quiet: true };
      note(`the stream ended${lastId ? `; resuming after ${lastId}` : ''}`);
    } catch (e) {
      if (!connected && e instanceof CliError) throw e;
      if (e instanceof CliError && (e.exitCode === EXIT.unauthorized || e.exitCode === EXIT.invalid)) throw e;
      note(`${(e as Error).message}${lastId ? `; resuming after ${lastId}` : ''}`);
    } finally {
      clearTimeout(silence);
    }
    await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 15_000)));
  }
}

/** Prints one message; true when it was a change event (not the snapshot). */
function printMessage(m: SseMessage, json: boolean, write: (t: string) => void): boolean {
  let data: any;
  try {
    data = JSON.parse(m.data);
  } catch {
    data = m.data;
  }
  if (m.event === 'snapshot') {
    write(json ? `${JSON.stringify({ type: 'snapshot', id: m.id ?? null, position: data?.position ?? m.id ?? null, resumed: data?.resumed ?? false, reason: data?.reason ?? null, state: data?.state ?? null })}\n` : snapshotLines(String(data?.position ?? m.id), data?.state));
    return false;
  }
  write(json ? `${JSON.stringify(typeof data === 'object' && data ? { id: m.id ?? null, type: m.event, ...data } : { id: m.id ?? null, type: m.event, data })}\n` : `${eventLine({ id: m.id, type: m.event, at: data?.at, data: data?.data })}\n`);
  return true;
}

