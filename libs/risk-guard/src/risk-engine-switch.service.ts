import { Injectable } from '@nestjs/common';
import { AuditService, Clock, MetricsService, OutboxService, PolicyUpsertService, type Principal } from '#platform';
import type { EntityManager } from 'typeorm';
import { RiskPolicyResponseDto } from './dto/policy.dto.js';
import { RiskErrors } from './risk-guard.errors.js';
import { engineName } from './risk-guard.input.js';
import { type PolicyRow, RiskPolicyRepository } from './risk-policy.repository.js';

/**
 * Turns an engine off and on: the regression tripwire's THROTTLE, and the operator's act that undoes
 * it. Serialized with policy upserts of the same engine (the platform's policy lock), audited as
 * `risk.policy.disable|enable`.
 */
@Injectable()
export class RiskEngineSwitchService {
  constructor(
    private readonly repo: RiskPolicyRepository,
    private readonly upserts: PolicyUpsertService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Reserve then denies `policy_disabled` naming `reason`. An engine without a policy gets a disabled
   * one with 0 caps, so enabling it later still allows nothing until an operator sets caps. Already
   * disabled: `changed: false`.
   */
  async disableEngine(principal: Principal, engine: string, reason: string): Promise<{ changed: boolean }> {
    const name = engineName(engine, true);
    const why = reason.trim() || `disabled by ${principal.name}`;
    return this.switch(principal, name, 'disable', why, (before) => {
      if (before && !before.enabled) return null;
      return before
        ? { ...before, enabled: false, disabled_reason: why, updated_by: principal.name }
        : {
            engine: name,
            enabled: false,
            max_daily_exposure: '0',
            max_open_risk: '0',
            max_daily_loss: '0',
            max_actions_per_day: null,
            reservation_ttl_seconds: 900,
            enforcement_mode: 'enforce',
            max_loss_multiple: '1',
            disabled_reason: why,
            updated_by: principal.name,
          };
    });
  }

  /** An operator's act; 404 when the engine has no policy; already enabled: `changed: false`. */
  async enableEngine(principal: Principal, engine: string, reason: string): Promise<{ changed: boolean }> {
    const name = engineName(engine, true);
    return this.switch(principal, name, 'enable', reason, (before) => {
      if (!before) throw RiskErrors.raise('policy_not_found', `no risk policy for engine ${name}`);
      return before.enabled ? null : { ...before, enabled: true, disabled_reason: null, updated_by: principal.name };
    });
  }

  /** `next` returns the row to write, or null when nothing changes. */
  private switch(
    principal: Principal,
    engine: string,
    act: 'disable' | 'enable',
    reason: string,
    next: (before: PolicyRow | undefined) => Omit<PolicyRow, 'updated_at'> | null,
  ): Promise<{ changed: boolean }> {
    const subject = `risk_policy:${engine}`;
    return this.repo.db.transaction(async (manager: EntityManager) => {
      await this.upserts.lock(manager, subject);
      const before = await this.repo.policy(engine, manager, true);
      const row = next(before);
      if (!row) return { changed: false };
      const after = await this.repo.writePolicy(manager, row, this.clock.now());
      await this.audit.record(manager, principal, {
        action: `risk.policy.${act}`,
        subject,
        reason,
        details: { before: before ? RiskPolicyResponseDto.from(before) : null, after: RiskPolicyResponseDto.from(after) },
      });
      await this.outbox.enqueue(manager, {
        topic: act === 'disable' ? 'engine.throttled' : 'engine.reenabled',
        subject: `engine:${engine}`,
        body: { engine, enabled: after.enabled, by: principal.name, reason },
        text: act === 'disable' ? `:warning: Engine ${engine} throttled by ${principal.name}: ${reason}` : `:arrow_forward: Engine ${engine} re-enabled by ${principal.name}: ${reason}`,
      });
      this.metrics.decision('risk', `policy_${act}`);
      return { changed: true };
    });
  }
}
