import { Injectable } from '@nestjs/common';
import { ApprovalAct, ApprovalActState, type ApprovalCreatedResponseDto, type ApprovalResponseDto, ApprovalsService, ChangeRequestsService } from '#approvals';
import { AuditService, Clock, MetricsService, OutboxService, PolicyUpsertService, type Principal, SYSTEM_PRINCIPAL } from '#platform';
import type { EntityManager } from 'typeorm';
import { RiskPolicyResponseDto } from './dto/policy.dto.js';
import { RiskErrors } from './risk-guard.errors.js';
import { engineName } from './risk-guard.input.js';
import { type PolicyRow, RiskPolicyRepository } from './risk-policy.repository.js';
import { RISK_GUARD } from './risk-guard.lever.js';
import { RISK_POLICY_CHANGE } from './risk-guard.constants.js';
import { RiskGuardStream } from './risk-guard.stream.js';

/** The approved act (and its approval kind) that re-enables an engine the tripwire throttled: a two-person act. */
const ENGINE_REENABLE = 'engine_reenable';
const REENABLE_PAYLOAD = { action: 'enable' } as const;
const reenableSubject = (engine: string) => `engine:${engine}`;

const engineOfSubject = (subject: string) => subject.slice(reenableSubject('').length);

/** What enabling an engine did: `approval` when the two-person rule holds it for a second operator. */
export interface EnableOutcome {
  changed: boolean;
  approval?: ApprovalCreatedResponseDto;
}

/**
 * Turns an engine off and on: the regression tripwire's THROTTLE, and the operator's act that undoes
 * it. Serialized with policy upserts of the same engine (the platform's policy lock), audited as
 * `risk.policy.disable|enable`. A throttle is its own state (`throttled_by`, the tripwire event), not
 * the words of `disabled_reason`: re-enabling a throttled engine waits for a second operator when
 * WARDEN_TWO_PERSON lists engine_reenable (docs/approvals.md "Two-person rule"), and that request is
 * bound to this very throttle (a new throttle, or an enable, voids it).
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
    private readonly streamEvents: RiskGuardStream,
    private readonly changeRequests: ChangeRequestsService,
  ) {}

  /** Whether turning `before` on must wait for a second operator: a tripwire throttle, with the rule on. */
  heldForSecondOperator(enable: boolean | undefined, before: PolicyRow | undefined): boolean {
    return enable === true && !!before?.throttled_by && this.approvals.twoPerson(ENGINE_REENABLE);
  }

  /** What a re-enable undoes: the throttle in force on the subject's engine (its policy row locked); null when none. */
  @ApprovalActState(ENGINE_REENABLE)
  throttleOf(subject: string, manager: EntityManager): Promise<string | null> {
    return this.repo.lockThrottle(engineOfSubject(subject), manager);
  }

  /** After a write that changed `engine`'s throttle, in its transaction: re-enable requests bound to the old one are void. */
  async throttleChanged(principal: Principal, engine: string, before: PolicyRow | undefined, after: PolicyRow, manager: EntityManager): Promise<void> {
    if ((before?.throttled_by ?? null) === after.throttled_by) return;
    const why = after.throttled_by ? `engine ${engine} throttled again (${after.throttled_by})` : `engine ${engine} enabled`;
    await this.approvals.stateChanged(principal, ENGINE_REENABLE, reenableSubject(engine), why, manager);
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
   * disabled: `changed: false`. `throttledBy` (the tripwire's THROTTLE: its event) marks the engine
   * throttled, also when it was already off; a new throttle replaces the one in force.
   */
  async disableEngine(principal: Principal, engine: string, reason: string, throttledBy?: string): Promise<{ changed: boolean }> {
    const name = engineName(engine, true);
    const why = reason.trim() || `disabled by ${principal.name}`;
    return this.switch(principal, name, 'disable', why, (before) => {
      if (before && !before.enabled && (throttledBy === undefined || before.throttled_by === throttledBy)) return null;
      return before
        ? { ...before, enabled: false, disabled_reason: why, throttled_by: throttledBy ?? before.throttled_by, updated_by: principal.name }
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
            throttled_by: throttledBy ?? null,
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
        return before.enabled || held ? null : { ...before, enabled: true, disabled_reason: null, throttled_by: null, updated_by: principal.name };
      });
      return held ? { changed: false, approval: await this.requestReenable(principal, name, reason, manager) } : result;
    });
  }

  /**
   * The approved re-enable, run by approvals once, in the transaction that consumes the grant (only
   * a request filed by requestReenable carries this act), and only while the throttle it was filed
   * for is the one in force (approvals checks `bound_version` against throttleOf first).
   */
  @ApprovalAct({ lever: RISK_GUARD, kind: ENGINE_REENABLE, twoPerson: true })
  async reenableApproved(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const engine = engineOfSubject(approval.subject);
    const approvedBy = (approval.decisions ?? []).filter((d) => d.decision === 'approve').map((d) => d.approver);
    const by = `${approval.requested_by} (approved by ${approvedBy.join(', ')})`;
    await this.switchIn(
      manager,
      SYSTEM_PRINCIPAL,
      engine,
      'enable',
      approval.reason,
      (before) => (before && !before.enabled ? { ...before, enabled: true, disabled_reason: null, throttled_by: null, updated_by: by } : null),
      { approval_id: approval.id, requested_by: approval.requested_by, approved_by: approvedBy, throttled_by: approval.bound_version },
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
    await this.throttleChanged(principal, engine, before, after, manager);
    // A change request of this policy was proposed against the row before this switch: it is void.
    await this.changeRequests.changed(principal, RISK_POLICY_CHANGE, subject, `risk policy ${engine} ${act}d`, manager);
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
    await this.streamEvents.switched(manager, act, after, reason);
    this.metrics.decision('risk', `policy_${act}`);
    return { changed: true };
  }
}
