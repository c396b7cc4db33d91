import { Injectable } from '@nestjs/common';
import { Clock, PolicyUpsertService, type Principal, ReadinessCheck } from '#platform';
import { mergePolicy } from './decide/policy-values.js';
import { RegressionPolicyResponseDto, type UpsertRegressionPolicyRequestDto } from './dto/policy.dto.js';
import { subjectOf } from './regression-tripwire.constants.js';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';
import { RegressionErrors } from './regression-tripwire.errors.js';
import { RegressionPolicyRepository } from './regression-policy.repository.js';

/** Tripwire policies: list, the audited upsert (through the platform's one mechanism), and go-live readiness. */
@Injectable()
export class RegressionPolicyService {
  constructor(
    private readonly repo: RegressionPolicyRepository,
    private readonly upserts: PolicyUpsertService,
    private readonly clock: Clock,
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
   * Creates or changes one tripwire; fields left out keep their value. Two concurrent creates of the
   * same new policy serialize on the platform's lock: one creates, the other updates.
   */
  async upsert(principal: Principal, input: UpsertRegressionPolicyRequestDto): Promise<RegressionPolicyResponseDto> {
    const { policy } = await this.upserts.upsert(principal, {
      lever: REGRESSION_TRIPWIRE.name,
      subject: subjectOf(input.domain, input.metric),
      requiredToCreate: { max_drop_fraction: input.max_drop_fraction, action: input.action },
      load: (m) => this.repo.loadForUpdate(m, input.domain, input.metric),
      write: (m, before) => {
        const merged = mergePolicy(input, before);
        if ('problem' in merged) throw RegressionErrors.raise('invalid_regression_policy', merged.problem);
        return this.repo.upsert(m, merged.values, this.clock.now(), principal.name);
      },
      view: (row) => RegressionPolicyResponseDto.from(row),
      reason: input.reason,
      actorLabel: input.actor,
    });
    return policy;
  }
}
