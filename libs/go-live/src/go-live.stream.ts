import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type StreamSnapshotItem, StreamEvents, StreamService, StreamSnapshot } from '#platform';
import type { GoLiveChange } from './go-live.notifications.js';
import { GoLiveRepository, type GoLiveStateRow } from './go-live.repository.js';
import { GO_LIVE } from './go-live.lever.js';

const TYPE: Record<GoLiveChange, string> = {
  enable: 'go_live.enabled',
  disable: 'go_live.disabled',
  'kill_switch.engage': 'kill_switch.engaged',
  'kill_switch.release': 'kill_switch.released',
};

/** The control-plane row as the stream carries it: the same fields in the snapshot and in each event. */
function stateOf(row: GoLiveStateRow): Record<string, unknown> {
  return {
    go_live_enabled: row.go_live_enabled,
    kill_switch_engaged: row.kill_switch_engaged,
    reason: row.reason,
    changed_by: row.changed_by,
    updated_at: new Date(row.updated_at).toISOString(),
    version: row.version,
  };
}

/** The go-live lever on the control-state stream (docs/stream.md): everyone sees it, bound or not. */
@Injectable()
@StreamEvents(GO_LIVE, Object.values(TYPE))
export class GoLiveStream {
  constructor(
    private readonly stream: StreamService,
    private readonly repo: GoLiveRepository,
  ) {}

  /** In the change's transaction. */
  changed(manager: EntityManager, action: GoLiveChange, row: GoLiveStateRow): Promise<void> {
    return this.stream.publish(manager, GO_LIVE, { type: TYPE[action], data: stateOf(row) });
  }

  @StreamSnapshot(GO_LIVE)
  async snapshot(): Promise<StreamSnapshotItem[]> {
    const row = await this.repo.state();
    return row ? Object.entries(stateOf(row)).map(([key, value]) => ({ key, value })) : [];
  }
}
