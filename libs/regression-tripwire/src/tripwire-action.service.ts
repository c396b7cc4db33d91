import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GoLiveChangesService, GoLiveService } from '#go-live';
import { AuditService, Clock, MetricsService, OutboxService } from '#platform';
import { RiskGuardService } from '#risk-guard';
import type { Verdict } from './decide/detector.js';
import { subjectOf, TRIPWIRE_PRINCIPAL } from './regression-tripwire.constants.js';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';
import type { RegressionPolicyRow } from './regression-policy.repository.js';
import { RegressionStateRepository, type RegressionStateRow } from './regression-state.repository.js';

/**
 * Carries out a trigger's action through the lever that owns the effect — THROTTLE through the risk
 * guard, KILL_SWITCH through go-live, ALERT as a log line — outside the evaluation's transaction,
 * then records the outcome. Each effect is idempotent, so a retry is safe.
 */
@Injectable()
export class TripwireActionService {
  private readonly logger = new Logger('regression-tripwire');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly states: RegressionStateRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly goLive: GoLiveService,
    private readonly goLiveChanges: GoLiveChangesService,
    private readonly outbox: OutboxService,
    private readonly riskGuard: RiskGuardService,
  ) {}

  /** Carries out the policy's action for trigger number `triggerCount`, then records the outcome. */
  async fire(policy: RegressionPolicyRow, verdict: Verdict, triggerCount: number): Promise<RegressionStateRow> {
    const reason = `${REGRESSION_TRIPWIRE.name} ${policy.domain}/${policy.metric}: ${verdict.detail}`;
    let ok = true;
    let detail: string;
    try {
      detail = await this.act(policy, reason, triggerCount);
    } catch (err) {
      ok = false;
      detail = `${policy.action} failed: ${err instanceof Error ? err.message : String(err)}`;
      this.logger.error({ msg: `tripwire ${policy.domain}/${policy.metric} action failed`, err });
    }
    const now = this.clock.now();
    const state = await this.dataSource.transaction(async (m) => {
      const updated = await this.states.recordActionOutcome(m, policy.domain, policy.metric, triggerCount, ok ? 'done' : 'failed', now, detail);
      const details = { trigger: triggerCount, target_engine: policy.target_engine, detail };
      await this.states.insertEvent(m, {
        at: now,
        domain: policy.domain,
        metric: policy.metric,
        type: ok ? 'action_taken' : 'action_failed',
        principal: TRIPWIRE_PRINCIPAL.name,
        status: 'triggered',
        action: policy.action,
        details,
      });
      await this.audit.record(m, TRIPWIRE_PRINCIPAL, {
        action: ok ? `${REGRESSION_TRIPWIRE.name}.action` : `${REGRESSION_TRIPWIRE.name}.action_failed`,
        subject: subjectOf(policy.domain, policy.metric),
        reason,
        details: { ...details, action: policy.action },
      });
      await this.outbox.enqueue(m, {
        topic: 'tripwire.fired',
        subject: subjectOf(policy.domain, policy.metric),
        body: { domain: policy.domain, metric: policy.metric, action: policy.action, outcome: ok ? 'done' : 'failed', reason, ...details },
        text: `:chart_with_downwards_trend: Tripwire ${policy.domain}/${policy.metric} fired (${policy.action}${ok ? '' : ' FAILED'}): ${detail}`,
      });
      return updated ?? (await this.states.get(m, policy.domain, policy.metric));
    });
    this.metrics.decision(REGRESSION_TRIPWIRE.name, ok ? `action_${policy.action.toLowerCase()}` : 'action_failed');
    return state;
  }

  /** The effect itself, through the lever that owns it. */
  private async act(policy: RegressionPolicyRow, reason: string, triggerCount: number): Promise<string> {
    switch (policy.action) {
      case 'THROTTLE': {
        const throttledBy = await this.triggerEvent(policy, triggerCount);
        const { changed } = await this.riskGuard.disableEngine(TRIPWIRE_PRINCIPAL, policy.target_engine, reason, throttledBy);
        return changed ? `risk policy ${policy.target_engine} disabled` : `risk policy ${policy.target_engine} was already disabled`;
      }
      case 'KILL_SWITCH': {
        if ((await this.goLive.state()).kill_switch_engaged) return 'kill switch was already engaged';
        await this.goLiveChanges.engageKillSwitch(TRIPWIRE_PRINCIPAL, { reason });
        return 'kill switch engaged';
      }
      case 'ALERT':
        this.logger.warn({ msg: `ALERT ${reason}` });
        return 'alert recorded';
    }
  }

  /**
   * What the throttle is: the `triggered` event of this trigger (committed by the evaluation before
   * the action runs), so a retry of the same trigger names the same throttle and a new trigger a new one.
   */
  private async triggerEvent(policy: RegressionPolicyRow, triggerCount: number): Promise<string> {
    const [event] = await this.states.events({ domain: policy.domain, metric: policy.metric, type: 'triggered' }, 1);
    if (!event || Number(event.details.trigger) !== triggerCount) throw new Error(`no triggered event for trigger ${triggerCount} of ${policy.domain}/${policy.metric}`);
    return `regression_event:${event.id}`;
  }
}
