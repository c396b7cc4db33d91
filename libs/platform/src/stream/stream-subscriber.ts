import type { ServerResponse } from 'node:http';
import type { StreamEventRecord } from './stream.repository.js';
import { type StreamAudience, sees } from './stream-scope.js';
import { sseEvent } from './sse.js';

/**
 * What a slow client may hold in this process's memory before it is dropped (it resumes with
 * Last-Event-ID and misses nothing): bytes queued on its socket, and events queued while its first
 * frames (snapshot or resume) are being read.
 */
export const MAX_QUEUED_BYTES = 256 * 1024;
export const MAX_PENDING_EVENTS = 10_000;

/** One event framed once for every subscriber that sees it. */
export interface FramedEvent {
  record: StreamEventRecord;
  frame: string;
}

export function frameOf(record: StreamEventRecord): FramedEvent {
  return {
    record,
    frame: sseEvent({ id: String(record.id), event: record.type, data: { id: String(record.id), type: record.type, lever: record.lever, at: record.at, data: record.data } }),
  };
}

/**
 * One open stream. Until `start` it queues the live events (its snapshot or resume is being read);
 * after, it writes each event it may see, once, in id order, and tells the hub to drop it when its
 * socket backs up past MAX_QUEUED_BYTES.
 */
export class StreamSubscriber {
  private res?: ServerResponse;
  private pending: FramedEvent[] | null = [];
  closed = false;

  constructor(
    readonly audience: StreamAudience,
    readonly tokenId: string,
    /** The last event id this client has (or has skipped as invisible): nothing at or below it is written. */
    private lastId: number,
    private readonly onDrop: (sub: StreamSubscriber, why: string) => void,
  ) {}

  /** Moves the position forward (a resume's last row, a snapshot's position). */
  advanceTo(id: number): void {
    if (id > this.lastId) this.lastId = id;
  }

  get position(): number {
    return this.lastId;
  }

  offer(event: FramedEvent): void {
    if (this.closed || event.record.id <= this.lastId || !sees(this.audience, event.record.scope)) return;
    if (this.pending) {
      this.pending.push(event);
      if (this.pending.length > MAX_PENDING_EVENTS) this.onDrop(this, 'too many events queued before the stream started');
      return;
    }
    this.lastId = event.record.id;
    this.write(event.frame);
  }

  /** Writes the first frames, then what queued meanwhile, and goes live. */
  start(res: ServerResponse, first: string): void {
    this.res = res;
    this.write(first);
    const queued = this.pending ?? [];
    this.pending = null;
    for (const event of queued) this.offer(event);
  }

  write(text: string): void {
    const res = this.res;
    if (this.closed || !res) return;
    if (res.destroyed || res.writableEnded) return this.onDrop(this, 'connection closed');
    res.write(text);
    if (res.writableLength > MAX_QUEUED_BYTES) this.onDrop(this, `client too slow: ${res.writableLength} bytes queued`);
  }

  /** Ends the response: gracefully (shutdown, revocation) or at once (a slow client's memory is freed now). */
  close(graceful: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = null;
    if (!this.res) return;
    if (graceful) this.res.end();
    else this.res.destroy();
  }
}
