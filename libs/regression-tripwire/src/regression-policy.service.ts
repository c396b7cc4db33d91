import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ApprovalAct, ApprovalActState, type ApprovalResponseDto, type ChangeRequestCreatedResponseDto, ChangeRequestsService, controlVersion } from '#approvals';
import { Clock, type PolicyChange, PolicyUpsertService, type Principal, ReadinessCheck, SYSTEM_PRINCIPAL } from '#platform';
import { mergePolicy } from './decide/policy-values.js';
import { RegressionPolicyResponseDto, type UpsertRegressionPolicyRequestDto } from './dto/policy.dto.js';
import { subjectOf } from './regression-tripwire.constants.js';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';
import { RegressionErrors } from './regression-tripwire.errors.js';
import { type RegressionPolicyRow, RegressionPolicyRepository } from './regression-policy.repository.js';

/** The approved act (and its kind) that applies a change request of a tripwire policy (WARDEN_CHANGE_REQUESTS: regression.policy). */
export const REGRESSION_POLICY_CHANGE = 'regression_policy_change';

/** What POST /regression/policies/upsert answers: the policy, or 202 with the change request WARDEN_CHANGE_REQUESTS filed. */
export type RegressionUpsertOutcome = { status: 200; body: RegressionPolicyResponseDto } | { status: 202; body: ChangeRequestCreatedResponseDto };

interface WriteOptions {
  by?: string;
  details?: Record<string, unknown>;
}

/** Tripwire policies: list, the audited upsert (through the platform's one mechanism, or a change request), and go-live readiness. */
@Injectable()
export class RegressionPolicyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: RegressionPolicyRepository,
    private readonly upserts: PolicyUpsertService,
    private readonly clock: Clock,
    private readonly changeRequests: ChangeRequestsService,
  ) {}

  @ReadinessCheck(REGRESSION_TRIPWIRE, 'required_packs_installed')
  async readiness(): Promise<{ ok: boolean; detail: string }> {
    const { total, enabled } = await this.repo.counts();
    return total > 0 ? { ok: true, detail: `${total} regression policies present (${enabled} enabled)` } : { ok: false, detail: 'no regression policies present' };
  }

  async list(): Promise<RegressionPolicyResponseDto[]> {
    return (await this.repo.list()).map((r) => RegressionPolicyResponseDto.from(r));
  }

  /**
   * The HTTP upsert: with WARDEN_CHANGE_REQUESTS holding `regression.policy`, a change request (202,
   * nothing written; 200 with the policy when it would change nothing), else the change now.
   */
  async request(principal: Principal, input: UpsertRegressionPolicyRequestDto): Promise<RegressionUpsertOutcome> {
    return this.dataSource.transaction(async (manager) => {
      if (!this.changeRequests.held(REGRESSION_POLICY_CHANGE)) return { status: 200, body: await this.upsert(principal, input, manager) };
      const { before, after } = await this.upserts.preview(this.policyChange(principal, input, {}), manager);
      const { base_version: baseVersion, ...apply } = input;
      const name = `${input.domain}/${input.metric}`;
      const filed = await this.changeRequests.file(
        principal,
        REGRESSION_POLICY_CHANGE,
        { subject: subjectOf(input.domain, input.metric), name, before, after, apply, reason: input.reason, baseVersion },
        manager,
      );
      return filed ? { status: 202, body: filed } : { status: 200, body: before! };
    });
  }

  /**
   * Creates or changes one tripwire now; fields left out keep their value. Two concurrent creates of
   * the same new policy serialize on the platform's lock: one creates, the other updates. Open change
   * requests bound to the old policy are void.
   */
  async upsert(principal: Principal, input: UpsertRegressionPolicyRequestDto, manager?: EntityManager, options: WriteOptions = {}): Promise<RegressionPolicyResponseDto> {
    const run = async (m: EntityManager) => {
      const subject = subjectOf(input.domain, input.metric);
      const name = `tripwire policy ${input.domain}/${input.metric}`;
      if (input.base_version !== undefined) this.changeRequests.assertBase(input.base_version, await this.policyVersion(subject, m), name);
      const { policy } = await this.upserts.upsert(principal, this.policyChange(principal, input, options), m);
      await this.changeRequests.changed(principal, REGRESSION_POLICY_CHANGE, subject, `${name} changed by ${options.by ?? principal.name}`, m);
      return policy;
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /** What a change request of a tripwire is bound to: the policy's version (its lock held), `absent` for none. */
  @ApprovalActState(REGRESSION_POLICY_CHANGE)
  async policyVersion(subject: string, manager: EntityManager): Promise<string> {
    await this.upserts.lock(manager, subject);
    const [domain, metric] = subject.slice(subjectOf('', '').length - 1).split('/');
    const row = await this.repo.loadForUpdate(manager, domain, metric);
    return row ? RegressionPolicyResponseDto.from(row).control_version : controlVersion(null);
  }

  /** The approved change request, run once in the transaction that consumes the grant, while the policy is at its base version. */
  @ApprovalAct({ lever: REGRESSION_TRIPWIRE, kind: REGRESSION_POLICY_CHANGE, changeRequest: 'regression.policy' })
  async regressionPolicyChangeApproved(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const approved = ChangeRequestsService.approved(approval);
    await this.upsert(SYSTEM_PRINCIPAL, approved.apply as unknown as UpsertRegressionPolicyRequestDto, manager, { by: approved.by, details: approved.details });
  }

  private policyChange(principal: Principal, input: UpsertRegressionPolicyRequestDto, options: WriteOptions): PolicyChange<RegressionPolicyRow, RegressionPolicyResponseDto> {
    return {
      lever: REGRESSION_TRIPWIRE.name,
      subject: subjectOf(input.domain, input.metric),
      requiredToCreate: { max_drop_fraction: input.max_drop_fraction, action: input.action },
      load: (m) => this.repo.loadForUpdate(m, input.domain, input.metric),
      write: (m, before) => {
        const merged = mergePolicy(input, before);
        if ('problem' in merged) throw RegressionErrors.raise('invalid_regression_policy', merged.problem);
        return this.repo.upsert(m, merged.values, this.clock.now(), options.by ?? principal.name);
      },
      view: (row) => RegressionPolicyResponseDto.from(row),
      reason: input.reason,
      actorLabel: input.actor,
      details: options.details,
    };
  }
}
