import { Injectable } from '@nestjs/common';
import { ApprovalAct, type ApprovalCreatedResponseDto, type ApprovalResponseDto, ApprovalsService } from '#approvals';
import { AuditService, Clock, MetricsService, OutboxService, PolicyUpsertService, type Principal, SYSTEM_PRINCIPAL } from '#platform';
import type { EntityManager } from 'typeorm';
import { RiskPolicyResponseDto } from './dto/policy.dto.js';
import { RiskErrors } from './risk-guard.errors.js';
import { engineName } from './risk-guard.input.js';
import { type PolicyRow, RiskPolicyRepository } from './risk-policy.repository.js';
import { RISK_GUARD } from './risk-guard.lever.js';

/** The approved act (and its approval kind) that re-enables an engine the tripwire throttled: a two-person act. */
const ENGINE_REENABLE = 'engine_reenable';
const REENABLE_PAYLOAD = { action: 'enable' } as const;
const reenableSubject = (engine: string) => `engine:${engine}`;

/** The regression tripwire throttles with a reason that starts with its name (tripwire-action.service.ts). */
export function throttledByTripwire(disabledReason: string | null): boolean {
  return disabledReason?.startsWith('regression_tripwire') ?? false;
}

/** What enabling an engine did: `approval` when the two-person rule holds it for a second operator. */
export interface EnableOutcome {
  changed: boolean;
  approval?: ApprovalCreatedResponseDto;
}

/**
 * Turns an engine off and on: the regression tripwire's THROTTLE, and the operator's act that undoes
 * it. Serialized with policy upserts of the same engine (the platform's policy lock), audited as
 * `risk.policy.disable|enable`. Re-enabling an engine the tripwire throttled waits for a second
 * operator when WARDEN_TWO_PERSON lists engine_reenable (docs/approvals.md "Two-person rule").
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
    private readonly approvals: ApprovalsService,
  ) {}

  /** Whether turning `before` on must wait for a second operator: a tripwire throttle, with the rule on. */
  heldForSecondOperator(enable: boolean | undefined, before: PolicyRow | undefined): boolean {
    return enable === true && !!before && !before.enabled && throttledByTripwire(before.disabled_reason) && this.approvals.twoPerson(ENGINE_REENABLE);
  }

  /** Files the approval request whose approval re-enables `engine`, in the caller's transaction. */
  async requestReenable(principal: Principal, engine: string, reason: string | undefined, manager: EntityManager): Promise<ApprovalCreatedResponseDto> {
    const why = reason?.trim() || `re-enable engine ${engine}`;
    const approval = await this.approvals.requestAct(
      principal,
      ENGINE_REENABLE,
      { subject: reenableSubject(engine), payload: REENABLE_PAYLOAD, reason: why, riskLevel: 'high', minApprovals: 1 },
      manager,
    );
    await this.audit.record(manager, principal, { action: 'risk.policy.reenable_requested', subject: `approval:${approval.approval_id}`, reason: why, details: { engine } });
    return approval;
  }

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

  /**
   * An operator's act; 404 when the engine has no policy; already enabled: `changed: false`. An
   * engine the tripwire throttled stays off under the two-person rule: `approval` is the request
   * whose approval turns it on.
   */
  async enableEngine(principal: Principal, engine: string, reason: string): Promise<EnableOutcome> {
    const name = engineName(engine, true);
    return this.repo.db.transaction(async (manager: EntityManager) => {
      let held = false;
      const result = await this.switchIn(manager, principal, name, 'enable', reason, (before) => {
        if (!before) throw RiskErrors.raise('policy_not_found', `no risk policy for engine ${name}`);
        held = this.heldForSecondOperator(true, before);
        return before.enabled || held ? null : { ...before, enabled: true, disabled_reason: null, updated_by: principal.name };
      });
      return held ? { changed: false, approval: await this.requestReenable(principal, name, reason, manager) } : result;
    });
  }

  /**
   * The approved re-enable, run by approvals once, in the transaction that consumes the grant (only
   * a request filed by requestReenable carries this act).
   */
  @ApprovalAct({ lever: RISK_GUARD, kind: ENGINE_REENABLE, twoPerson: true })
  async reenableApproved(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const engine = approval.subject.slice(reenableSubject('').length);
    const approvedBy = (approval.decisions ?? []).filter((d) => d.decision === 'approve').map((d) => d.approver);
    const by = `${approval.requested_by} (approved by ${approvedBy.join(', ')})`;
    await this.switchIn(
      manager,
      SYSTEM_PRINCIPAL,
      engine,
      'enable',
      approval.reason,
      (before) => (before && !before.enabled ? { ...before, enabled: true, disabled_reason: null, updated_by: by } : null),
      { approval_id: approval.id, requested_by: approval.requested_by, approved_by: approvedBy },
    );
  }

  /** `next` returns the row to write, or null when nothing changes. */
  private switch(
    principal: Principal,
    engine: string,
    act: 'disable' | 'enable',
    reason: string,
    next: (before: PolicyRow | undefined) => Omit<PolicyRow, 'updated_at'> | null,
  ): Promise<{ changed: boolean }> {
    return this.repo.db.transaction((manager: EntityManager) => this.switchIn(manager, principal, engine, act, reason, next));
  }

  private async switchIn(
    manager: EntityManager,
    principal: Principal,
    engine: string,
    act: 'disable' | 'enable',
    reason: string,
    next: (before: PolicyRow | undefined) => Omit<PolicyRow, 'updated_at'> | null,
    extra: Record<string, unknown> = {},
  ): Promise<{ changed: boolean }> {
    const subject = `risk_policy:${engine}`;
    await this.upserts.lock(manager, subject);
    const before = await this.repo.policy(engine, manager, true);
    const row = next(before);
    if (!row) return { changed: false };
    const after = await this.repo.writePolicy(manager, row, this.clock.now());
    await this.audit.record(manager, principal, {
      action: `risk.policy.${act}`,
      subject,
      reason,
      details: { before: before ? RiskPolicyResponseDto.from(before) : null, after: RiskPolicyResponseDto.from(after), ...extra },
    });
    await this.outbox.enqueue(manager, {
      topic: act === 'disable' ? 'engine.throttled' : 'engine.reenabled',
      subject: `engine:${engine}`,
      body: { engine, enabled: after.enabled, by: after.updated_by, reason, ...extra },
      text: act === 'disable' ? `:warning: Engine ${engine} throttled by ${after.updated_by}: ${reason}` : `:arrow_forward: Engine ${engine} re-enabled by ${after.updated_by}: ${reason}`,
    });
    this.metrics.decision('risk', `policy_${act}`);
    return { changed: true };
  }
}
