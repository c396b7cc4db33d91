import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalsService } from '#approvals';
import { HeimdallPolicyService, HeimdallScorecardService } from '#heimdall';
import { addDays, Clock, MetricsService, SYSTEM_PRINCIPAL, utcDay } from '#platform';
import { RegressionStateService } from '#regression-tripwire';
import { evaluatePromotion } from './decide/evaluate.js';
import { type TripwireState, weeklyScorecard, WEEK_DAYS } from './decide/weekly-scorecard.js';
import {
  PROMOTION_APPROVAL_KIND,
  PROMOTION_APPROVAL_TTL_SECONDS,
  type PromotionApprovalPayload,
  promotionSubject,
} from './promotion.constants.js';
import { PromotionRepository } from './promotion.repository.js';
import { decisionOf } from './promotion-evaluation.service.js';
import { PromotionRulesService } from './promotion-rules.service.js';
import { PROMOTION } from './promotion.lever.js';

export type WeeklyReviewOutcome = {
  week: string;
  from: string;
  to: string;
  domains: number;
  filed: number;
  verdicts: Record<string, number>;
};

/**
 * The Friday review: every Heimdall domain's week of sandbox trials and its tripwires become a
 * scorecard, evaluated with the active rules; each verdict is logged and filed as an approval
 * request, once per (domain, week) whatever the retries.
 */
@Injectable()
export class PromotionReviewService {
  constructor(
    private readonly repo: PromotionRepository,
    private readonly rules: PromotionRulesService,
    private readonly policies: HeimdallPolicyService,
    private readonly scorecards: HeimdallScorecardService,
    private readonly tripwire: RegressionStateService,
    private readonly approvals: ApprovalsService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /** Reviews the seven UTC days before the Friday `boundary` falls on, in the job's transaction. */
  async reviewWeek(manager: EntityManager, boundary: Date): Promise<WeeklyReviewOutcome> {
    const week = utcDay(boundary);
    const from = addDays(week, -WEEK_DAYS);
    const to = addDays(week, -1);
    const [policies, states, rules, trialRows] = await Promise.all([
      this.policies.list(),
      this.tripwire.state(),
      this.rules.active(),
      this.scorecards.trialsOverDays(manager, from, to),
    ]);
    const trials = new Map(trialRows.map((r) => [r.domain, r]));
    const tripwires = new Map<string, TripwireState[]>();
    for (const s of states) tripwires.set(s.domain, [...(tripwires.get(s.domain) ?? []), { metric: s.metric, status: s.status }]);
    const now = this.clock.now();
    const verdicts: Record<string, number> = {};
    let filed = 0;
    for (const policy of policies) {
      const t = trials.get(policy.domain);
      const scorecard = weeklyScorecard(
        t && { trials: Number(t.trials), successes: Number(t.successes), confidenceSum: t.confidence_sum, days: t.days },
        policy,
        tripwires.get(policy.domain) ?? [],
      );
      const result = evaluatePromotion({ scorecard, rules: rules.ruleSet });
      verdicts[result.verdict] = (verdicts[result.verdict] ?? 0) + 1;
      const decision = await this.repo.insertDecision(manager, decisionOf(now, SYSTEM_PRINCIPAL.name, 'friday', policy.domain, week, scorecard, {}, rules, null, result));
      // A domain with no sandbox trials this week has nothing to review: its verdict is logged, but no
      // operator is asked to approve a no-data no_go every Friday.
      if (!decision || !t) continue;
      const payload: PromotionApprovalPayload = { domain: policy.domain, verdict: result.verdict, week, decision_id: decision.id };
      await this.approvals.requestAct(
        SYSTEM_PRINCIPAL,
        PROMOTION_APPROVAL_KIND,
        {
          subject: promotionSubject(policy.domain),
          payload,
          reason: `promotion review of the week ${from}..${to}: ${result.verdict}${result.reason_codes.length ? ` (${result.reason_codes.join(', ')})` : ''}`,
          riskLevel: 'medium',
          timeoutSeconds: PROMOTION_APPROVAL_TTL_SECONDS,
          correlationId: `promotion:${policy.domain}:${week}`,
        },
        manager,
      );
      filed += 1;
    }
    this.metrics.decision(PROMOTION.name, 'friday_filed', filed);
    return { week, from, to, domains: policies.length, filed, verdicts };
  }
}
