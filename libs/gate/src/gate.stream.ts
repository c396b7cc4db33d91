import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type StreamSnapshotItem, StreamEvents, StreamService, StreamSnapshot } from '#platform';
import { GateRepository, type PolicyRow } from './gate.repository.js';
import { GATE } from './gate.lever.js';

function policyState(row: PolicyRow): Record<string, unknown> {
  return { name: row.name, active_digest: row.active_digest, mode: row.mode, trust_threshold: String(Number(row.trust_threshold)), updated_by: row.updated_by };
}

/**
 * The gate on the control-state stream (docs/stream.md): which version of a policy is active, and
 * its rollout mode (with the trust threshold). Everyone sees them: a policy names no one engine.
 */
@Injectable()
@StreamEvents(GATE, ['gate_policy.activated', 'gate_policy.mode_changed'])
export class GateStream {
  constructor(
    private readonly stream: StreamService,
    private readonly repo: GateRepository,
  ) {}

  /** The policy upsert wrote `after`, in its transaction: one event per kind of change it made. */
  async changed(manager: EntityManager, before: PolicyRow | null, after: PolicyRow): Promise<void> {
    if (!before || before.active_digest !== after.active_digest) {
      await this.stream.publish(manager, GATE, { type: 'gate_policy.activated', data: policyState(after) });
    }
    if (before && (before.mode !== after.mode || Number(before.trust_threshold) !== Number(after.trust_threshold))) {
      await this.stream.publish(manager, GATE, { type: 'gate_policy.mode_changed', data: { ...policyState(after), previous_mode: before.mode } });
    }
  }

  @StreamSnapshot(GATE)
  async snapshot(): Promise<StreamSnapshotItem[]> {
    return (await this.repo.policies()).map((row) => ({ key: row.name, value: policyState(row) }));
  }
}
