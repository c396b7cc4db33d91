import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type StreamSnapshotItem, StreamEvents, StreamService, StreamSnapshot } from '#platform';
import { GLOBAL_ENGINE } from './risk-guard.input.js';
import { type PolicyRow, RiskPolicyRepository } from './risk-policy.repository.js';
import { RISK_GUARD } from './risk-guard.lever.js';

/** An engine's enablement as the stream carries it. */
function engineState(row: PolicyRow): Record<string, unknown> {
  return { engine: row.engine, enabled: row.enabled, throttled_by: row.throttled_by, disabled_reason: row.disabled_reason, updated_by: row.updated_by };
}

/** GLOBAL caps every engine: all see it. An engine's own policy: only tokens bound to it (and the unbound). */
const scopeOf = (engine: string) => (engine === GLOBAL_ENGINE ? undefined : { engines: [engine] });

/**
 * The risk guard on the control-state stream (docs/stream.md): engine throttles and re-enables
 * (the switch), and risk policy enable/disable through an upsert.
 */
@Injectable()
@StreamEvents(RISK_GUARD, ['engine.throttled', 'engine.reenabled', 'risk_policy.enabled', 'risk_policy.disabled'])
export class RiskGuardStream {
  constructor(
    private readonly stream: StreamService,
    private readonly repo: RiskPolicyRepository,
  ) {}

  /** The switch turned `after` off (a throttle) or on (a re-enable), in its transaction. */
  switched(manager: EntityManager, act: 'disable' | 'enable', after: PolicyRow, reason: string): Promise<void> {
    return this.stream.publish(manager, RISK_GUARD, {
      type: act === 'disable' ? 'engine.throttled' : 'engine.reenabled',
      scope: scopeOf(after.engine),
      data: { ...engineState(after), reason },
    });
  }

  /** An upsert wrote `after`: an event only when it changed the policy's enablement (or created it). */
  async upserted(manager: EntityManager, before: PolicyRow | undefined, after: PolicyRow): Promise<void> {
    if (before && before.enabled === after.enabled) return;
    await this.stream.publish(manager, RISK_GUARD, {
      type: after.enabled ? 'risk_policy.enabled' : 'risk_policy.disabled',
      scope: scopeOf(after.engine),
      data: engineState(after),
    });
  }

  @StreamSnapshot(RISK_GUARD)
  async snapshot(manager: EntityManager): Promise<StreamSnapshotItem[]> {
    return (await this.repo.policies(manager)).map((row) => ({ key: row.engine, value: engineState(row), scope: scopeOf(row.engine) }));
  }
}
