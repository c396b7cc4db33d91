import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApprovalsService } from '#approvals';
import { HeimdallPolicyService, HeimdallScorecardService } from '#heimdall';
import { addDays, Clock, MetricsService, SYSTEM_PRINCIPAL, utcDay, WardenConfig } from '#platform';
import { RegressionPolicyService, RegressionStateService } from '#regression-tripwire';
import { evaluatePromotion, type PromotionResult } from './decide/evaluate.js';
import { applyForesight, foresight, forecastRecord, type ForesightTripwire, type ReviewVerdict } from './decide/foresight.js';
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

/** A Friday result: the rules' verdict, or the foresight gate's `borderline`. */
type ReviewResult = Omit<PromotionResult, 'verdict'> & { verdict: ReviewVerdict };

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
    private readonly tripwirePolicies: RegressionPolicyService,
    private readonly approvals: ApprovalsService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly config: WardenConfig,
  ) {}

  /** Reviews the seven UTC days before the Friday `boundary` falls on, in the job's transaction. */
  async reviewWeek(manager: EntityManager, boundary: Date): Promise<WeeklyReviewOutcome> {
    const week = utcDay(boundary);
    const from = addDays(week, -WEEK_DAYS);
    const to = addDays(week, -1);
    const [policies, states, tripwirePolicies, rules, trialRows] = await Promise.all([
      this.policies.list(),
      this.tripwire.state(),
      this.tripwirePolicies.list(),
      this.rules.active(),
      this.scorecards.trialsOverDays(manager, from, to),
    ]);
    const trials = new Map(trialRows.map((r) => [r.domain, r]));
    const maxDrop = new Map(tripwirePolicies.map((p) => [`${p.domain}\u0000${p.metric}`, p.max_drop_fraction]));
    const tripwires = new Map<string, Array<TripwireState & ForesightTripwire>>();
    for (const s of states) {
      const entry = { metric: s.metric, status: s.status, drop: s.drop, max_drop_fraction: maxDrop.get(`${s.domain}\u0000${s.metric}`) ?? 0 };
      tripwires.set(s.domain, [...(tripwires.get(s.domain) ?? []), entry]);
    }
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
      const ruled = evaluatePromotion({ scorecard, rules: rules.ruleSet });
      const { result, forecast } = this.foresee(ruled, now, policy.domain, week, t?.days ?? {}, policy.min_success_rate, tripwires.get(policy.domain) ?? []);
      verdicts[result.verdict] = (verdicts[result.verdict] ?? 0) + 1;
      const decision = await this.repo.insertDecision(manager, { ...decisionOf(now, SYSTEM_PRINCIPAL.name, 'friday', policy.domain, week, scorecard, {}, rules, null, result), forecast });
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

  /**
   * The foresight gate on a promote (decide/foresight.ts): the week's days and the domain's
   * tripwires projected forward; a failed forecast makes it borderline (or pilot with no borderline
   * review), its reason codes added as menace adds them, and the forecast kept with the decision.
   * Any other verdict is left alone and no forecast is made.
   */
  private foresee(
    ruled: PromotionResult,
    now: Date,
    domain: string,
    week: string,
    days: Record<string, { trials: number; successes: number; confidence_sum?: number }>,
    minSuccessRate: number,
    tripwires: readonly ForesightTripwire[],
  ): { result: ReviewResult; forecast: Record<string, unknown> | null } {
    if (ruled.verdict !== 'promote') return { result: ruled, forecast: null };
    const series = Object.entries(days).map(([day, d]) => ({ day, trials: Number(d.trials), successes: Number(d.successes), confidenceSum: Number(d.confidence_sum ?? 0) }));
    const projected = foresight({ domain, week, days: series, minSuccessRate, tripwires });
    const verdict = applyForesight(ruled.verdict, projected, this.config.WARDEN_PROMOTION_BORDERLINE_REVIEW);
    const step = { step: 'foresight' as const, safe: projected.safe, reason_codes: projected.reason_codes, confidence: projected.forecast.confidence, result: verdict as 'promote' | 'borderline' | 'pilot' };
    const result: ReviewResult = {
      ...ruled,
      verdict,
      reason_codes: [...ruled.reason_codes, ...projected.reason_codes.filter((c) => !ruled.reason_codes.includes(c))],
      trace: [...ruled.trace, step],
    };
    return { result, forecast: forecastRecord(now, domain, projected, verdict) };
  }
}
