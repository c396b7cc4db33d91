import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../clock/clock.js';
import type { Lever } from '../lever/lever.js';
import { type StreamSnapshotItem, StreamRegistry } from './stream-registry.js';
import { StreamRepository } from './stream.repository.js';
import { type StreamAudience, type StreamScope, sees } from './stream-scope.js';

/** What a lever publishes: one of its declared types, who may see it, and its data (JSON). */
export interface StreamEventInput {
  type: string;
  scope?: StreamScope;
  data: Record<string, unknown>;
}

/** How long one read of the levers' state serves the snapshots of one position. */
const SNAPSHOT_REUSE_MS = 1000;

/** The control state a snapshot carries: `state[lever][key]`, filtered for one audience. */
export type StreamState = Record<string, Record<string, unknown>>;

/**
 * The levers' side of the stream: `publish` writes an event into the log in the caller's
 * transaction, so it commits (and is announced, by the log's commit trigger) with the change it
 * describes or not at all; `snapshot` assembles the current control state from every lever's
 * declared provider. The HTTP side (subscribers, resumption, heartbeats) is StreamHub's.
 */
@Injectable()
export class StreamService {
  private shared?: { position: number; readAt: number; read: Promise<Array<[string, StreamSnapshotItem[]]>> };

  constructor(
    private readonly repo: StreamRepository,
    private readonly registry: StreamRegistry,
    private readonly clock: Clock,
  ) {}

  /**
   * Call it in the transaction of the state change. Its event id is drawn at commit under one lock
   * (ids in commit order), so it costs the transaction nothing until COMMIT and cannot deadlock
   * with the lever's own locks.
   */
  async publish(manager: EntityManager, lever: Lever, event: StreamEventInput): Promise<void> {
    const owner = this.registry.owner(event.type);
    if (owner !== lever.name) {
      throw new Error(`stream event ${event.type} is not declared by ${lever.name} (@StreamEvents)${owner ? `: ${owner} declares it` : ''}`);
    }
    await this.repo.insert(manager, { lever: lever.name, type: event.type, scope: event.scope, data: event.data, at: this.clock.now() });
  }

  /**
   * Every lever's snapshot section for `audience`, reflecting at least every event up to
   * `position`. The levers' state is read once (one repeatable-read transaction: one consistent
   * picture) and shared by the snapshots asked for the same position within SNAPSHOT_REUSE_MS, so a
   * burst of reconnections costs one read, not one per client (measured: 100 at once otherwise
   * exhaust the pool and answer 503).
   */
  async snapshot(audience: StreamAudience, position: number): Promise<StreamState> {
    const now = Date.now();
    if (!this.shared || this.shared.position !== position || now - this.shared.readAt > SNAPSHOT_REUSE_MS) {
      const read = this.readAll();
      this.shared = { position, readAt: now, read };
      read.catch(() => {
        if (this.shared?.read === read) this.shared = undefined;
      });
    }
    const state: StreamState = {};
    for (const [lever, items] of await this.shared.read) {
      const section: Record<string, unknown> = {};
      for (const item of items) if (sees(audience, item.scope)) section[item.key] = item.value;
      state[lever] = section;
    }
    return state;
  }

  private readAll(): Promise<Array<[string, StreamSnapshotItem[]]>> {
    const providers = this.registry.snapshotProviders();
    return this.repo.db.transaction('REPEATABLE READ', async (manager) => {
      const out: Array<[string, StreamSnapshotItem[]]> = [];
      for (const [lever, provider] of providers) out.push([lever, await provider(manager)]);
      return out;
    });
  }

  /** The event types the levers declared, by lever. */
  declaredTypes(): Record<string, string[]> {
    return this.registry.declared();
  }
}
