import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StreamScope } from './stream-scope.js';

/** One entry of a lever's snapshot section: `state[lever][key] = value`, seen only by whom `scope` admits. */
export interface StreamSnapshotItem {
  key: string;
  value: unknown;
  scope?: StreamScope;
}

/**
 * A lever's snapshot provider (@StreamSnapshot): all of its current control state as items, read
 * through `manager` (the snapshot's one transaction). It returns everyone's items: the platform
 * filters them by scope for each subscriber, so one read serves a burst of (re)connections.
 */
export type StreamSnapshotProvider = (manager: EntityManager) => Promise<StreamSnapshotItem[]>;

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** What the levers declared for the stream (filled by LeverExplorer at start). */
@Injectable()
export class StreamRegistry {
  private readonly types = new Map<string, string>();
  private readonly snapshots = new Map<string, StreamSnapshotProvider>();

  declare(lever: string, types: readonly string[]): void {
    for (const type of types) {
      if (!EVENT_TYPE.test(type)) throw new Error(`stream event type ${JSON.stringify(type)} of ${lever} must be dotted lower case (kill_switch.engaged)`);
      const owner = this.types.get(type);
      if (owner !== undefined) throw new Error(`stream event type ${type} declared by ${owner} and ${lever}`);
      this.types.set(type, lever);
    }
  }

  addSnapshot(lever: string, provider: StreamSnapshotProvider): void {
    if (this.snapshots.has(lever)) throw new Error(`two stream snapshot providers for ${lever}`);
    this.snapshots.set(lever, provider);
  }

  /** The lever that declared `type`, if any. */
  owner(type: string): string | undefined {
    return this.types.get(type);
  }

  /** Every declared type by lever (docs, the contract test). */
  declared(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [type, lever] of this.types) (out[lever] ??= []).push(type);
    return out;
  }

  snapshotProviders(): Array<[string, StreamSnapshotProvider]> {
    return [...this.snapshots.entries()].sort(([a], [b]) => a.localeCompare(b));
  }
}
