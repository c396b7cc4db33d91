import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock, type Principal, WardenError } from '#platform';
import { evaluatePromotion, type PromotionResult } from './decide/evaluate.js';
import type { VerifiedOverride } from './decide/override.js';
import { EvaluatePromotionRequestDto, PromotionResultDto } from './dto/evaluate.dto.js';
import { asHttpInput } from './promotion.errors.js';
import { PromotionRepository, type DecisionRow, type NewDecision } from './promotion.repository.js';
import { PromotionOverrideService } from './promotion-override.service.js';
import { PromotionRulesService, type ResolvedRules } from './promotion-rules.service.js';

/** On-demand evaluation: verdict, decision log entry and (with an override) its single use, in one transaction. */
@Injectable()
export class PromotionEvaluationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: PromotionRepository,
    private readonly rules: PromotionRulesService,
    private readonly overrides: PromotionOverrideService,
    private readonly clock: Clock,
  ) {}

  async evaluate(principal: Principal, body: EvaluatePromotionRequestDto): Promise<PromotionResultDto> {
    const domain = body.domain ?? null;
    const rules = await this.rules.resolve(body.rules);
    const text = body.override_json ?? body.override;
    const override = text === undefined ? null : await this.overrides.verify(principal, text, domain);
    const result = asHttpInput(() => evaluatePromotion({ scorecard: body.scorecard, policy: body.policy, rules: rules.ruleSet, override }));
    try {
      const row = await this.dataSource.transaction(async (m) => {
        const decision = (await this.repo.insertDecision(m, decisionOf(this.clock.now(), principal.name, 'api', domain, null, body.scorecard, body.policy ?? {}, rules, override, result)))!;
        if (override) await this.overrides.recordUse(m, principal, override, decision.id);
        return decision;
      });
      return PromotionResultDto.from(result, row.id);
    } catch (err) {
      if (err instanceof WardenError && err.code === 'override_replayed') await this.overrides.refused(principal, err, domain, override!.digest);
      throw err;
    }
  }
}

/** What the decision log keeps of one evaluation: its whole input and result. */
export function decisionOf(
  at: Date,
  by: string,
  source: DecisionRow['source'],
  domain: string | null,
  week: string | null,
  scorecard: unknown,
  policy: unknown,
  rules: ResolvedRules,
  override: VerifiedOverride | null,
  result: Omit<PromotionResult, 'verdict'> & { verdict: string },
): NewDecision {
  return {
    decided_at: at,
    decided_by: by,
    source,
    domain,
    week,
    scorecard,
    policy,
    rules_version: rules.version,
    rules_digest: rules.digest,
    override_digest: override?.digest ?? null,
    verdict: result.verdict,
    reason_codes: result.reason_codes,
    overrides: result.overrides,
    trace: result.trace,
  };
}
