import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, type Principal } from '#platform';
import { ApprovalActsRegistry, type RegisteredAct } from './approval-acts.registry.js';
import { ApprovalsErrors } from './approvals.errors.js';
import { ApprovalsService } from './approvals.service.js';
import { type ChangeRequestView, controlValue, diffValues } from './decide/change-diff.js';
import { ChangeRequestCreatedResponseDto } from './dto/change-request.dto.js';
import type { ApprovalResponseDto } from './dto/approval.dto.js';

/** A change a lever proposes for one of its controls (computed in `manager`'s transaction, under the control's lock). */
export interface ProposedChange {
  /** The approval's subject, which the act's state reader reads (the control's audit subject: `risk_policy:WHOLESALE`). */
  subject: string;
  /** What the change request names: the engine, the domain, the policy. */
  name: string;
  /** The control's view now (null: it does not exist yet) and as the change would leave it. */
  before: object | null;
  after: object;
  /** What the act applies once approved: the lever's validated input. */
  apply: object;
  reason?: string | null;
  /** The version the caller saw (`control_version` of the GET), if it sent one: another is 409 control_version_conflict. */
  baseVersion?: string | null;
}

/** What an approval of a change request carries. */
export interface ChangeRequestPayload {
  change_request: ChangeRequestView;
  apply: object;
}

/** Who asked and who approved an approved change request, for the row's `updated_by` and the audit details. */
export interface ApprovedChange extends ChangeRequestPayload {
  approvalId: string;
  /** `<requester> (approved by <approvers>)`, as the other approved acts write it. */
  by: string;
  /** For the audit row of the change (beside before/after). */
  details: { approval_id: string; requested_by: string; approved_by: string[]; base_version: string; control: string };
}

/**
 * Four eyes on a control (docs/approvals.md "Change requests"), the shared half: whether
 * WARDEN_CHANGE_REQUESTS holds a control, filing a change as the request of the lever's act (bound to
 * the control's version through the act's @ApprovalActState reader), the optimistic check of a
 * client's `base_version`, and voiding open requests after a change. Each lever declares its act
 * (`@ApprovalAct({..., changeRequest: 'risk.policy'})`) and applies the change in it.
 */
@Injectable()
export class ChangeRequestsService {
  constructor(
    private readonly registry: ApprovalActsRegistry,
    private readonly approvals: ApprovalsService,
    private readonly audit: AuditService,
  ) {}

  /** Whether a change through `act` waits for another person now. */
  held(act: string): boolean {
    return this.registry.changeRequests(this.def(act).changeRequest!);
  }

  /** The control's version now, through the act's reader (in `manager`'s transaction: it takes the control's lock). */
  async version(act: string, subject: string, manager: EntityManager): Promise<string> {
    return (await this.def(act).state!(subject, manager)) ?? 'absent';
  }

  /** 409 control_version_conflict when the caller sent a base version and the control is now at another. */
  assertBase(given: string | null | undefined, current: string, name: string): void {
    if (given === undefined || given === null || given === current) return;
    throw ApprovalsErrors.raise('control_version_conflict', `${name} changed since version ${given} (now ${current}): read it again and propose the change against what it is now`, {
      details: { base_version: given, current_version: current },
    });
  }

  /**
   * Files `change` as a request of `act`, in `manager`'s transaction; null when it would change
   * nothing (the lever answers 200 with the control as it is). The approval carries
   * `payload.change_request` (control, subject, base_version, before, after, diff) and what to apply.
   */
  async file(principal: Principal, act: string, change: ProposedChange, manager: EntityManager): Promise<ChangeRequestCreatedResponseDto | null> {
    const def = this.def(act);
    const control = def.changeRequest!;
    const version = await this.version(act, change.subject, manager);
    this.assertBase(change.baseVersion, version, `${control} ${change.name}`);
    const before = change.before ? controlValue({ ...change.before }) : null;
    const after = controlValue({ ...change.after });
    const diff = diffValues(before, after);
    if (before && diff.length === 0) return null;
    const changeRequest: ChangeRequestView = { control, subject: change.name, base_version: version, before, after, diff };
    const reason = change.reason?.trim() || `change ${control} ${change.name}`;
    const payload: ChangeRequestPayload = { change_request: changeRequest, apply: { ...change.apply } };
    const created = await this.approvals.requestAct(principal, act, { subject: change.subject, payload, reason, riskLevel: 'high', minApprovals: 1 }, manager);
    await this.audit.record(manager, principal, {
      action: `${def.lever.name}.change_requested`,
      subject: change.subject,
      reason,
      details: { approval_id: created.approval_id, ...changeRequest },
    });
    return Object.assign(new ChangeRequestCreatedResponseDto(), created, { change_request: changeRequest });
  }

  /** After any write of the control, in its transaction: open requests bound to another version are void. */
  changed(principal: Principal, act: string, subject: string, why: string, manager: EntityManager): Promise<number> {
    return this.approvals.stateChanged(principal, act, subject, why, manager);
  }

  /** What an approved change request carries, and who asked and approved it (inside the act). */
  static approved(approval: ApprovalResponseDto): ApprovedChange {
    const payload = approval.payload as ChangeRequestPayload;
    const approvedBy = (approval.decisions ?? []).filter((d) => d.decision === 'approve').map((d) => d.approver);
    return {
      ...payload,
      approvalId: approval.id,
      by: `${approval.requested_by} (approved by ${approvedBy.join(', ')})`,
      details: {
        approval_id: approval.id,
        requested_by: approval.requested_by,
        approved_by: approvedBy,
        base_version: payload.change_request.base_version,
        control: payload.change_request.control,
      },
    };
  }

  private def(act: string): RegisteredAct {
    const def = this.registry.act(act);
    if (!def?.changeRequest) throw new Error(`${act} is not a registered change-request act`);
    return def;
  }
}
