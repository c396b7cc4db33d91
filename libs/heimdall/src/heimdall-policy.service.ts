import { Injectable } from '@nestjs/common';
import { Clock, PolicyUpsertService, type Principal, ReadinessCheck } from '#platform';
import type { EntityManager } from 'typeorm';
import { UpsertHeimdallPolicyRequestDto, HeimdallPolicyResponseDto } from './dto/policy.dto.js';
import { policySubject } from './heimdall.constants.js';
import { HEIMDALL } from './heimdall.lever.js';
import { HeimdallStream } from './heimdall.stream.js';
import { HeimdallRepository, type PolicyRow } from './heimdall.repository.js';

/** Heimdall's gate policies: one per AI domain, changed through the platform's audited upsert. */
@Injectable()
export class HeimdallPolicyService {
  constructor(
    private readonly repo: HeimdallRepository,
    private readonly upserts: PolicyUpsertService,
    private readonly clock: Clock,
    private readonly streamEvents: HeimdallStream,
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
   * Creates or changes a domain's policy: serialized per domain (creates included), audited as
   * `heimdall.policy.create|update` and recorded as a `policy.upserted` event in the same transaction.
   * A new domain needs the three thresholds; for an existing one, omitted fields keep their value.
   * `manager`: inside the caller's transaction (an approved act's), else in one of its own.
   */
  async upsert(principal: Principal, input: UpsertHeimdallPolicyRequestDto, manager?: EntityManager): Promise<HeimdallPolicyResponseDto> {
    const now = this.clock.now();
    const { policy } = await this.upserts.upsert<PolicyRow, HeimdallPolicyResponseDto>(principal, {
      lever: HEIMDALL.name,
      subject: policySubject(input.domain),
      requiredToCreate: { min_confidence: input.min_confidence, min_trials: input.min_trials, min_success_rate: input.min_success_rate },
      load: (m) => this.repo.findPolicy(m, input.domain),
      write: (m, before) =>
        before
          ? this.repo.updatePolicy(m, input.domain, input, principal.name, now)
          : this.repo.insertPolicy(m, input.domain, { ...input, min_confidence: input.min_confidence!, min_trials: input.min_trials!, min_success_rate: input.min_success_rate! }, principal.name, now),
      view: HeimdallPolicyResponseDto.from,
      reason: input.reason,
      actorLabel: input.actor,
      recorded: (m, before, after) =>
        this.repo
          .insertEvent(m, now, { kind: 'policy.upserted', domain: input.domain, principal: principal.name, details: { before, after, reason: input.reason ?? null } })
          .then(() => this.streamEvents.upserted(m, before, after)),
    }, manager);
    return policy;
  }
}
