import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, Clock, MetricsService, type Principal } from '#platform';
import { detect, type Verdict } from './decide/detector.js';
import { transition } from './decide/transition.js';
import { EvaluationResponseDto } from './dto/evaluation.dto.js';
import { KpiEventRepository } from './kpi-event.repository.js';
import { STALE_CLAIM_MS, subjectOf, TRIPWIRE_PRINCIPAL } from './regression-tripwire.constants.js';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';
import { RegressionErrors } from './regression-tripwire.errors.js';
import { RegressionPolicyRepository, type RegressionPolicyRow } from './regression-policy.repository.js';
import { RegressionStateRepository, type RegressionStateRow } from './regression-state.repository.js';
import { TripwireActionService } from './tripwire-action.service.js';
import { assertTripwireEvaluateAllowed } from './decide/reach.js';

interface EvaluationOutcome {
  policy: RegressionPolicyRow;
  verdict: Verdict;
  state: RegressionStateRow;
  /** Set when this evaluation must carry out the action (a new trigger, or a retry). */
  fire?: { triggerCount: number };
}

const figures = (v: Verdict): Record<string, unknown> => ({
  kind: v.kind,
  reason: v.reason,
  baseline: v.baseline,
  current: v.current,
  drop: v.drop,
  p_value: v.p_value,
  n_baseline: v.n_baseline,
  n_current: v.n_current,
});

/**
 * Evaluates tripwires: compares the newest window with the baseline before it (the pure `detect`),
 * keeps one state row per policy, and on the transition into `triggered` acts once (TripwireActionService).
 */
@Injectable()
export class RegressionEvaluationService {
  private readonly logger = new Logger('regression-tripwire');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policies: RegressionPolicyRepository,
    private readonly states: RegressionStateRepository,
    private readonly kpis: KpiEventRepository,
    private readonly actions: TripwireActionService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Evaluates one policy now. The verdict, the state row and (on a new trigger) the audit record
   * are written in one transaction holding the state row's lock, so concurrent evaluations
   * serialize and exactly one sees the transition into `triggered`. The action then runs through
   * the other lever's service in its own transaction — never inside ours — and its outcome is
   * written back; a failed action is retried by the next evaluation while the state stays triggered.
   */
  async evaluate(principal: Principal, domain: string, metric: string): Promise<EvaluationResponseDto> {
    const outcome = await this.dataSource.transaction((m) => this.evaluateIn(m, principal, domain, metric));
    this.metrics.decision(REGRESSION_TRIPWIRE.name, outcome.verdict.status);
    const state = outcome.fire ? await this.actions.fire(outcome.policy, outcome.verdict, outcome.fire.triggerCount) : outcome.state;
    return EvaluationResponseDto.from(outcome.policy, outcome.verdict, state, outcome.fire !== undefined);
  }

  private async evaluateIn(m: EntityManager, principal: Principal, domain: string, metric: string): Promise<EvaluationOutcome> {
    const policy = await this.policies.find(m, domain, metric);
    if (!policy) throw RegressionErrors.raise('regression_policy_not_found', `no regression policy for ${domain}/${metric}`);
    // Checked against the policy this evaluation acts on, before anything is written.
    assertTripwireEvaluateAllowed(principal, policy);
    const now = this.clock.now();
    const prev = await this.states.lock(m, domain, metric, now);
    const kind = (await this.kpis.streamKind(m, domain, metric)) ?? 'success_rate';
    const rows = await this.kpis.window(m, domain, metric, prev.reset_event_id, policy.window_events + policy.baseline_events);
    const values = rows.map((r) => (kind === 'success_rate' ? (r.success ? 1 : 0) : (r.value as number)));
    const verdict = detect(
      { kind, current: values.slice(0, policy.window_events), baseline: values.slice(policy.window_events) },
      { enabled: policy.enabled, min_events: policy.min_events, max_drop_fraction: policy.max_drop_fraction, alpha: policy.alpha },
    );
    const { entering, retry, triggerCount } = transition(prev, verdict.status, now, STALE_CLAIM_MS);
    const state = await this.states.saveVerdict(m, domain, metric, { verdict, kind, now, entering, retry, triggerCount, action: policy.action });

    const event = { at: now, domain, metric, principal: principal.name, status: verdict.status };
    if (prev.status !== verdict.status) {
      await this.states.insertEvent(m, { ...event, type: 'status_changed', details: { from: prev.status, ...figures(verdict) } });
    }
    if (entering) {
      const trigger = { trigger: triggerCount, target_engine: policy.target_engine };
      await this.states.insertEvent(m, {
        ...event,
        type: 'triggered',
        action: policy.action,
        details: { ...trigger, max_drop_fraction: policy.max_drop_fraction, alpha: policy.alpha, ...figures(verdict) },
      });
      await this.audit.record(m, principal, {
        action: `${REGRESSION_TRIPWIRE.name}.triggered`,
        subject: subjectOf(domain, metric),
        reason: verdict.detail,
        details: { trigger: triggerCount, action: policy.action, target_engine: policy.target_engine, ...figures(verdict) },
      });
      this.logger.warn({ msg: `tripwire ${domain}/${metric} triggered: ${verdict.detail}`, action: policy.action });
    }
    return { policy, verdict, state, fire: entering || retry ? { triggerCount } : undefined };
  }

  /** The five-minute job: every enabled policy, plus disabled ones whose state still says otherwise. */
  async evaluateScheduled(): Promise<Record<string, unknown>> {
    const results: Array<Record<string, unknown>> = [];
    for (const { domain, metric } of await this.policies.due()) {
      try {
        const r = await this.evaluate(TRIPWIRE_PRINCIPAL, domain, metric);
        results.push({ domain, metric, status: r.status, fired: r.action.fired, action_status: r.action.status });
      } catch (err) {
        this.logger.error({ msg: `scheduled evaluation of ${domain}/${metric} failed`, err });
        results.push({ domain, metric, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return { evaluated: results.length, triggered: results.filter((r) => r.status === 'triggered').length, results };
  }
}
