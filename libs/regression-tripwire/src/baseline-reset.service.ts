import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, Clock, MetricsService, type Principal } from '#platform';
import type { BaselineResetRequestDto, RegressionStateResponseDto } from './dto/state.dto.js';
import { KpiEventRepository } from './kpi-event.repository.js';
import { subjectOf } from './regression-tripwire.constants.js';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';
import { RegressionErrors } from './regression-tripwire.errors.js';
import { RegressionEvaluationService } from './regression-evaluation.service.js';
import { RegressionPolicyRepository } from './regression-policy.repository.js';
import { RegressionStateRepository } from './regression-state.repository.js';
import { RegressionStateService } from './regression-state.service.js';

/** The Friday ritual: a domain's (or one metric's) baselines restart. */
@Injectable()
export class BaselineResetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policies: RegressionPolicyRepository,
    private readonly states: RegressionStateRepository,
    private readonly kpis: KpiEventRepository,
    private readonly evaluation: RegressionEvaluationService,
    private readonly reads: RegressionStateService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Events recorded so far no longer count for these policies. Nothing is deleted (kpi_event is
   * append-only): the state keeps the newest event id at reset time and the window read starts
   * after it. Each reset policy is then evaluated at once, so its state reads `insufficient_data`
   * (or `disabled`) and a later trigger acts again.
   */
  async reset(principal: Principal, input: BaselineResetRequestDto): Promise<RegressionStateResponseDto[]> {
    const found = await this.dataSource.transaction(async (m) => {
      const policies = await this.policies.ofDomain(m, input.domain, input.metric ?? null);
      if (!policies.length) {
        throw RegressionErrors.raise('regression_policy_not_found', `no regression policy for ${input.domain}${input.metric ? `/${input.metric}` : ''}`);
      }
      const now = this.clock.now();
      for (const { domain, metric } of policies) {
        const marker = await this.kpis.newestId(m, domain, metric);
        const previous = await this.states.markReset(m, domain, metric, marker, now, principal.name, input.reason);
        await this.states.insertEvent(m, {
          at: now,
          domain,
          metric,
          type: 'baseline_reset',
          principal: principal.name,
          details: { reset_event_id: marker, previous_reset_event_id: previous, reason: input.reason },
        });
        await this.audit.record(m, principal, {
          action: `${REGRESSION_TRIPWIRE.name}.baseline_reset`,
          subject: subjectOf(domain, metric),
          reason: input.reason,
          actorLabel: input.actor,
          details: { reset_event_id: marker },
        });
      }
      return policies;
    });
    this.metrics.decision(REGRESSION_TRIPWIRE.name, 'baseline_reset', found.length);
    for (const { domain, metric } of found) await this.evaluation.evaluate(principal, domain, metric);
    return this.reads.state({ domain: input.domain, metric: input.metric });
  }
}
