import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApprovalAct, ApprovalActState, type ApprovalResponseDto, type ChangeRequestCreatedResponseDto, ChangeRequestsService, controlVersion } from '#approvals';
import { Clock, type PolicyChange, PolicyUpsertService, type Principal, ReadinessCheck, SYSTEM_PRINCIPAL } from '#platform';
import { DataSource, type EntityManager } from 'typeorm';
import { UpsertHeimdallPolicyRequestDto, HeimdallPolicyResponseDto } from './dto/policy.dto.js';
import { policySubject } from './heimdall.constants.js';
import { HEIMDALL } from './heimdall.lever.js';
import { HeimdallStream } from './heimdall.stream.js';
import { HeimdallRepository, type PolicyRow } from './heimdall.repository.js';

/** The approved act (and its kind) that applies a change request of a Heimdall gate policy (WARDEN_CHANGE_REQUESTS: heimdall.policy). */
export const HEIMDALL_POLICY_CHANGE = 'heimdall_policy_change';

/** What POST /heimdall/policies/upsert answers: the policy, or 202 with the change request WARDEN_CHANGE_REQUESTS filed. */
export type HeimdallUpsertOutcome = { status: 200; body: HeimdallPolicyResponseDto } | { status: 202; body: ChangeRequestCreatedResponseDto };

interface WriteOptions {
  by?: string;
  details?: Record<string, unknown>;
}

/** Heimdall's gate policies: one per AI domain, changed through the platform's audited upsert (or a change request). */
@Injectable()
export class HeimdallPolicyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: HeimdallRepository,
    private readonly upserts: PolicyUpsertService,
    private readonly clock: Clock,
    private readonly streamEvents: HeimdallStream,
    private readonly changeRequests: ChangeRequestsService,
  ) {}

  /** Go-live readiness of the Heimdall pack: policies are present. */
  @ReadinessCheck(HEIMDALL, 'required_packs_installed')
  async readiness(): Promise<{ ok: boolean; detail: string }> {
    const row = await this.repo.policyCounts();
    const total = row?.total ?? 0;
    return total > 0
      ? { ok: true, detail: `${total} Heimdall ${total === 1 ? 'policy' : 'policies'} present (${row!.enabled} prod-enabled)` }
      : { ok: false, detail: 'no Heimdall policy present' };
  }

  async list(): Promise<HeimdallPolicyResponseDto[]> {
    return (await this.repo.listPolicies()).map(HeimdallPolicyResponseDto.from);
  }

  /**
   * The HTTP upsert: with WARDEN_CHANGE_REQUESTS holding `heimdall.policy`, a change request (202,
   * nothing written; 200 with the policy when it would change nothing), else the change now.
   * `base_version`, when given, must be the policy's `control_version` (409 control_version_conflict).
   */
  async request(principal: Principal, input: UpsertHeimdallPolicyRequestDto): Promise<HeimdallUpsertOutcome> {
    return this.dataSource.transaction(async (manager) => {
      if (!this.changeRequests.held(HEIMDALL_POLICY_CHANGE)) return { status: 200, body: await this.upsert(principal, input, manager) };
      const { before, after } = await this.upserts.preview(this.policyChange(principal, input, {}), manager);
      const { base_version: baseVersion, ...apply } = input;
      const filed = await this.changeRequests.file(
        principal,
        HEIMDALL_POLICY_CHANGE,
        { subject: policySubject(input.domain), name: input.domain, before, after, apply, reason: input.reason, baseVersion },
        manager,
      );
      return filed ? { status: 202, body: filed } : { status: 200, body: before! };
    });
  }

  /**
   * Creates or changes a domain's policy now: serialized per domain (creates included), audited as
   * `heimdall.policy.create|update` and recorded as a `policy.upserted` event in the same transaction;
   * open change requests bound to the old policy are void. A new domain needs the three thresholds;
   * for an existing one, omitted fields keep their value. `manager`: inside the caller's transaction
   * (an approved act's, such as the Friday promotion), else in one of its own.
   */
  async upsert(principal: Principal, input: UpsertHeimdallPolicyRequestDto, manager?: EntityManager, options: WriteOptions = {}): Promise<HeimdallPolicyResponseDto> {
    const run = async (m: EntityManager) => {
      const subject = policySubject(input.domain);
      if (input.base_version !== undefined) this.changeRequests.assertBase(input.base_version, await this.policyVersion(subject, m), `Heimdall policy ${input.domain}`);
      const { policy } = await this.upserts.upsert<PolicyRow, HeimdallPolicyResponseDto>(principal, this.policyChange(principal, input, options), m);
      await this.changeRequests.changed(principal, HEIMDALL_POLICY_CHANGE, subject, `Heimdall policy ${input.domain} changed by ${options.by ?? principal.name}`, m);
      return policy;
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /** What a change request of a domain's policy is bound to: the policy's version (its lock held), `absent` for none. */
  @ApprovalActState(HEIMDALL_POLICY_CHANGE)
  async policyVersion(subject: string, manager: EntityManager): Promise<string> {
    await this.upserts.lock(manager, subject);
    const row = await this.repo.findPolicy(manager, subject.slice(policySubject('').length));
    return row ? HeimdallPolicyResponseDto.from(row).control_version : controlVersion(null);
  }

  /** The approved change request, run once in the transaction that consumes the grant, while the policy is at its base version. */
  @ApprovalAct({ lever: HEIMDALL, kind: HEIMDALL_POLICY_CHANGE, changeRequest: 'heimdall.policy' })
  async heimdallPolicyChangeApproved(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const approved = ChangeRequestsService.approved(approval);
    await this.upsert(SYSTEM_PRINCIPAL, approved.apply as unknown as UpsertHeimdallPolicyRequestDto, manager, { by: approved.by, details: approved.details });
  }

  private policyChange(principal: Principal, input: UpsertHeimdallPolicyRequestDto, options: WriteOptions): PolicyChange<PolicyRow, HeimdallPolicyResponseDto> {
    const now = this.clock.now();
    const by = options.by ?? principal.name;
    return {
      lever: HEIMDALL.name,
      subject: policySubject(input.domain),
      requiredToCreate: { min_confidence: input.min_confidence, min_trials: input.min_trials, min_success_rate: input.min_success_rate },
      load: (m) => this.repo.findPolicy(m, input.domain),
      write: (m, before) =>
        before
          ? this.repo.updatePolicy(m, input.domain, input, by, now)
          : this.repo.insertPolicy(m, input.domain, { ...input, min_confidence: input.min_confidence!, min_trials: input.min_trials!, min_success_rate: input.min_success_rate! }, by, now),
      view: HeimdallPolicyResponseDto.from,
      reason: input.reason,
      actorLabel: input.actor,
      details: options.details,
      recorded: (m, before, after) =>
        this.repo
          .insertEvent(m, now, { kind: 'policy.upserted', domain: input.domain, principal: by, details: { before, after, reason: input.reason ?? null } })
          .then(() => this.streamEvents.upserted(m, before, after)),
    };
  }
}
