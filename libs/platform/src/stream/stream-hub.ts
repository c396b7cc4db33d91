import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { Clock } from '../clock/clock.js';
import { WardenConfig } from '../config/warden-config.js';
import { WardenError } from '../errors/warden-error.js';
import { NotifyListener } from '../notify/notify-listener.js';
import { parseNotification, STREAM_CHANNEL, StreamRepository } from './stream.repository.js';
import { audienceOf, sees } from './stream-scope.js';
import { StreamService } from './stream.service.js';
import { type FramedEvent, frameOf, StreamSubscriber } from './stream-subscriber.js';
import { sseComment, sseEvent, sseRetry } from './sse.js';

/** Why a client got a snapshot rather than a resume (the snapshot event's `reason`). */
export type SnapshotReason = 'no_last_event_id' | 'invalid_last_event_id' | 'beyond_retention' | 'unknown_position';

/** A stream whose first frames are ready, waiting for its response. */
export interface OpenedStream {
  subscriber: StreamSubscriber;
  first: string;
}

const PAGE = 1000;
const RETRY_MS = 1000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * The stream's server side in one process: one NOTIFY subscription (the NotifyListener's single
 * connection) feeds every subscriber from memory; an event read from the log is framed once. Each
 * subscriber gets its snapshot or its resume first, then the live events from the position that
 * first part ended at, so nothing falls between the two. A heartbeat comment goes to all every
 * WARDEN_STREAM_HEARTBEAT_MS; a token revoked meanwhile has its streams ended at the next beat.
 */
@Injectable()
export class StreamHub implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('stream');
  private readonly subscribers = new Set<StreamSubscriber>();
  /** The highest event id this process has fanned out: every lower one is committed or gone. */
  private head: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  private ready?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly repo: StreamRepository,
    private readonly stream: StreamService,
    private readonly notify: NotifyListener,
    private readonly config: WardenConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.ready = this.chain = this.listen();
    this.timers.push(setInterval(() => void this.beat(), this.config.WARDEN_STREAM_HEARTBEAT_MS).unref());
    this.timers.push(setInterval(() => void this.prune().catch((e) => this.logger.warn(`stream retention failed: ${String(e)}`)), PRUNE_EVERY_MS).unref());
  }

  beforeApplicationShutdown(): void {
    for (const t of this.timers) clearInterval(t);
    for (const sub of this.subscribers) sub.close(true);
    this.subscribers.clear();
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Registers a subscriber and reads its first part: the events after `lastEventId` when the log
   * still holds them all, else a snapshot saying why. Throws (before any byte is written, so the
   * client gets a proper error answer) on capacity or when the database cannot be read.
   */
  async open(principal: Principal, lastEventId: number | 'invalid' | undefined): Promise<OpenedStream> {
    if (this.subscribers.size >= this.config.WARDEN_STREAM_MAX_SUBSCRIBERS) {
      throw new WardenError('stream_capacity', 503, `this instance holds ${this.config.WARDEN_STREAM_MAX_SUBSCRIBERS} streams (WARDEN_STREAM_MAX_SUBSCRIBERS): retry later or on another instance`);
    }
    await this.ready;
    if (this.head === undefined) await this.enqueue(() => this.catchUp());
    const through = this.head ?? 0;
    const audience = audienceOf(principal);
    const subscriber = new StreamSubscriber(audience, principal.tokenId, through, (s, why) => this.drop(s, why));
    this.subscribers.add(subscriber);
    try {
      const reason = await this.resumable(lastEventId);
      let first = sseRetry(RETRY_MS);
      if (reason === undefined) {
        const from = lastEventId as number;
        // Past what this process has fanned out (its NOTIFY is on its way): skip up to it.
        subscriber.advanceTo(from);
        first += sseComment(`resumed after ${from}`);
        for (let after = from; after < through; ) {
          const page = await this.repo.between(after, through, PAGE);
          for (const event of page) if (sees(audience, event.scope)) first += frameOf(event).frame;
          if (page.length < PAGE) break;
          after = page[page.length - 1].id;
        }
      } else {
        const state = await this.stream.snapshot(audience, through);
        first += sseEvent({ id: String(through), event: 'snapshot', data: { position: String(through), resumed: false, reason, state } });
      }
      return { subscriber, first };
    } catch (err) {
      this.subscribers.delete(subscriber);
      throw err;
    }
  }

  /** Hands the opened stream its response: headers, the first part, then live. */
  start(opened: OpenedStream, res: ServerResponse, headers: Record<string, string | number | string[] | undefined>): void {
    const { subscriber } = opened;
    if (subscriber.closed) return;
    res.on('close', () => this.remove(subscriber));
    const given = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string | number | string[]>;
    res.writeHead(200, {
      ...given,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Tells nginx (and its kin) not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    subscriber.start(res, opened.first);
  }

  /** Retention: drops the events older than WARDEN_STREAM_RETENTION_HOURS (also run every 10 minutes). */
  prune(): Promise<number> {
    return this.repo.prune(new Date(this.clock.now().getTime() - this.config.WARDEN_STREAM_RETENTION_HOURS * 3_600_000));
  }

  private async resumable(lastEventId: number | 'invalid' | undefined): Promise<SnapshotReason | undefined> {
    if (lastEventId === undefined) return 'no_last_event_id';
    if (lastEventId === 'invalid') return 'invalid_last_event_id';
    const { head, prunedThrough } = await this.repo.position();
    if (lastEventId < prunedThrough) return 'beyond_retention';
    if (lastEventId > head) return 'unknown_position';
    return undefined;
  }

  private async listen(): Promise<void> {
    try {
      await this.notify.subscribe(STREAM_CHANNEL, (payload) => void this.enqueue(() => this.handle(payload)));
      this.head = (await this.repo.position()).head;
    } catch (err) {
      // The next subscriber (or notification) reads the position again.
      this.logger.warn(`stream start: ${String(err)}`);
    }
  }

  /** Notifications are handled one at a time, in the order they came (commit order). */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch((err) => this.logger.warn(`stream fan-out: ${String(err)}`));
    return this.chain;
  }

  private async handle(payload: string): Promise<void> {
    if (payload === 'reconnected' || this.head === undefined) return this.catchUp();
    const note = parseNotification(payload);
    if (!note || note.id <= this.head) return;
    if (note.record) return this.deliver(frameOf(note.record));
    return this.catchUp();
  }

  /** Reads what the log holds past `head` (after a reconnect, an event too large for its NOTIFY). */
  private async catchUp(): Promise<void> {
    if (this.head === undefined) {
      this.head = (await this.repo.position()).head;
      return;
    }
    for (;;) {
      const page = await this.repo.after(this.head, PAGE);
      for (const event of page) this.deliver(frameOf(event));
      if (page.length < PAGE) return;
    }
  }

  private deliver(event: FramedEvent): void {
    if (this.head !== undefined && event.record.id <= this.head) return;
    this.head = event.record.id;
    for (const sub of this.subscribers) sub.offer(event);
  }

  private async beat(): Promise<void> {
    const comment = sseComment('hb');
    for (const sub of this.subscribers) sub.write(comment);
    if (this.subscribers.size === 0) return;
    try {
      const revoked = new Set(await this.repo.revokedTokens([...new Set([...this.subscribers].map((s) => s.tokenId))]));
      for (const sub of this.subscribers) if (revoked.has(sub.tokenId)) this.drop(sub, 'token revoked', true);
    } catch (err) {
      this.logger.warn(`stream revocation check: ${String(err)}`);
    }
  }

  private drop(sub: StreamSubscriber, why: string, graceful = false): void {
    if (!this.subscribers.delete(sub)) return;
    if (why !== 'connection closed') this.logger.log({ msg: `stream dropped: ${why}`, position: sub.position });
    sub.close(graceful);
  }

  private remove(sub: StreamSubscriber): void {
    this.subscribers.delete(sub);
    sub.close(false);
  }
}
