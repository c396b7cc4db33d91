import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalAct, ApprovalActState, type ApprovalCreatedResponseDto, type ApprovalResponseDto, ApprovalsService } from '#approvals';
import { AuditService, MetricsService, OutboxService, type Principal, SYSTEM_PRINCIPAL } from '#platform';
import { GoLiveStateResponseDto } from './dto/go-live.dto.js';
import { GoLiveChecklistService } from './go-live-checklist.service.js';
import { GoLiveErrors } from './go-live.errors.js';
import { type GoLiveChange, changeNotification } from './go-live.notifications.js';
import { type GoLiveFlags, GoLiveRepository, type GoLiveStateRow } from './go-live.repository.js';
import { GoLiveService } from './go-live.service.js';
import { GO_LIVE } from './go-live.lever.js';
import { GoLiveStream } from './go-live.stream.js';

export interface ChangeInput {
  actor?: string;
  reason?: string;
}

/** What POST /kill-switch/release answers: 200 with the state, or 202 with the approval request the two-person rule filed. */
export type ReleaseOutcome = { status: 200; body: GoLiveStateResponseDto } | { status: 202; body: ApprovalCreatedResponseDto };

/** The approved act (and its approval kind) that releases the kill switch: a two-person act. */
const KILL_SWITCH_RELEASE = 'kill_switch_release';
const RELEASE = { subject: 'kill_switch', payload: { action: 'release' } } as const;

/**
 * Changes to the control-plane row: enable/disable go-live, engage/release the kill switch. Each is
 * one transaction — the row, its audit record, its notification and the NOTIFY that refreshes
 * every instance on commit. Releasing the kill switch may need a second operator (WARDEN_TWO_PERSON).
 */
@Injectable()
export class GoLiveChangesService {
  private readonly logger = new Logger('go-live');

  constructor(
    private readonly repo: GoLiveRepository,
    private readonly state: GoLiveService,
    private readonly checklists: GoLiveChecklistService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly metrics: MetricsService,
    private readonly approvals: ApprovalsService,
    private readonly streamEvents: GoLiveStream,
  ) {}

  async enable(principal: Principal, input: ChangeInput): Promise<GoLiveStateResponseDto> {
    const checklist = await this.checklists.checklist();
    if (!checklist.ok) {
      await this.repo.db.transaction((manager) =>
        this.audit.record(manager, principal, { action: `${GO_LIVE.name}.enable_refused`, subject: GO_LIVE.name, actorLabel: input.actor, reason: input.reason, details: { checklist } }),
      );
      this.metrics.decision(GO_LIVE.name, 'enable_refused');
      throw GoLiveErrors.raise('checklist_failed', 'the go-live checklist is not complete', {
        reasonCodes: Object.entries(checklist.required).filter(([, i]) => !i.ok).map(([k]) => k),
        details: checklist,
      });
    }
    return this.change(principal, 'enable', { go_live_enabled: true }, input);
  }

  disable(principal: Principal, input: ChangeInput): Promise<GoLiveStateResponseDto> {
    return this.change(principal, 'disable', { go_live_enabled: false }, input);
  }

  engageKillSwitch(principal: Principal, input: ChangeInput): Promise<GoLiveStateResponseDto> {
    return this.change(principal, 'kill_switch.engage', { kill_switch_engaged: true }, input);
  }

  /**
   * Releases the kill switch now, or — when WARDEN_TWO_PERSON lists kill_switch_release — files an
   * approval request and leaves the switch engaged; a second operator's approval releases it. The
   * request is bound to this engagement: filed while nothing is engaged, 409 act_not_applicable;
   * voided by the next release; never releases a later engagement.
   */
  async releaseKillSwitch(principal: Principal, input: ChangeInput): Promise<ReleaseOutcome> {
    if (!this.approvals.twoPerson(KILL_SWITCH_RELEASE)) {
      return { status: 200, body: await this.change(principal, 'kill_switch.release', { kill_switch_engaged: false }, input) };
    }
    const created = await this.repo.db.transaction(async (manager) => {
      const approval = await this.approvals.requestAct(
        principal,
        KILL_SWITCH_RELEASE,
        { ...RELEASE, reason: input.reason ?? 'release the kill switch', riskLevel: 'high', minApprovals: 1 },
        manager,
      );
      await this.audit.record(manager, principal, {
        action: `${GO_LIVE.name}.kill_switch.release_requested`,
        subject: `approval:${approval.approval_id}`,
        actorLabel: input.actor,
        reason: input.reason,
        details: { approval_id: approval.approval_id, two_person_rule: true },
      });
      return approval;
    });
    this.metrics.decision(GO_LIVE.name, 'release_requested');
    return { status: 202, body: created };
  }

  /** What a release undoes: the engagement in force (the row's version when the switch was engaged), locked; null while released. */
  @ApprovalActState(KILL_SWITCH_RELEASE)
  engagement(_subject: string, manager: EntityManager): Promise<string | null> {
    return this.repo.lockEngagement(manager);
  }

  /**
   * The approved release, run by approvals once, in the transaction that consumes the grant (only a
   * request filed by releaseKillSwitch carries this act). Registered whatever the setting: a request
   * filed before a restart with the rule off still completes.
   */
  @ApprovalAct({ lever: GO_LIVE, kind: KILL_SWITCH_RELEASE, twoPerson: true })
  async releaseApproved(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const approvedBy = (approval.decisions ?? []).filter((d) => d.decision === 'approve').map((d) => d.approver);
    const changedBy = `${approval.requested_by} (approved by ${approvedBy.join(', ')})`;
    await this.apply(manager, SYSTEM_PRINCIPAL, 'kill_switch.release', { kill_switch_engaged: false }, { reason: approval.reason }, changedBy, {
      approval_id: approval.id,
      requested_by: approval.requested_by,
      approved_by: approvedBy,
    });
    this.metrics.decision(GO_LIVE.name, 'kill_switch.release');
  }

  private async change(principal: Principal, action: GoLiveChange, flags: GoLiveFlags, input: ChangeInput): Promise<GoLiveStateResponseDto> {
    const row = await this.repo.db.transaction((manager) => this.apply(manager, principal, action, flags, input, principal.name));
    this.state.accept(row);
    this.metrics.decision(GO_LIVE.name, action);
    this.logger.log({ msg: `go-live ${action}`, principal: principal.name, reason: input.reason });
    return GoLiveStateResponseDto.from(row, this.state.enforced);
  }

  /** The row, its audit record and its notification, in the caller's transaction (the NOTIFY fires on commit). */
  private async apply(
    manager: EntityManager,
    principal: Principal,
    action: GoLiveChange,
    flags: GoLiveFlags,
    input: ChangeInput,
    changedBy: string,
    extra: Record<string, unknown> = {},
  ): Promise<GoLiveStateRow> {
    const before = await this.repo.lockState(manager);
    const updated = await this.repo.update(manager, flags, input.reason ?? null, changedBy);
    await this.audit.record(manager, principal, {
      action: `go_live.${action}`,
      subject: GO_LIVE.name,
      actorLabel: input.actor,
      reason: input.reason,
      details: {
        before: { go_live_enabled: before?.go_live_enabled, kill_switch_engaged: before?.kill_switch_engaged },
        after: { go_live_enabled: updated.go_live_enabled, kill_switch_engaged: updated.kill_switch_engaged },
        ...extra,
      },
    });
    await this.outbox.enqueue(manager, changeNotification(action, updated, extra));
    if (action === 'kill_switch.engage' || action === 'kill_switch.release') {
      // Release requests are bound to an engagement: those for one that ended are void.
      await this.approvals.stateChanged(principal, KILL_SWITCH_RELEASE, RELEASE.subject, `kill switch ${action === 'kill_switch.engage' ? 'engaged' : 'released'} (state version ${updated.version})`, manager);
    }
    await this.streamEvents.changed(manager, action, updated);
    return updated;
  }
}
