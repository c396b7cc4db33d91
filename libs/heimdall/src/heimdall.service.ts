import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GoLiveService } from '#go-live';
import {
  assertDomainAllowed,
  Clock,
  DEFAULT_PAGE_LIMIT,
  idempotencyKey,
  MetricsService,
  type Page,
  type Principal,
  requestDigest,
  SYSTEM_PRINCIPAL,
  toPage,
  utcDay,
} from '#platform';
import { evaluateGates, type GateDecision } from './decide/gates.js';
import { normalizeRatio } from './decide/ratio.js';
import { gatePolicy } from './decide/scorecard.js';
import type { TrialResponseDto } from './dto/trial.dto.js';
import {
  EligibilityResponseDto,
  type ListRecommendationsQueryDto,
  RecommendationDetailDto,
  RecommendationResponseDto,
} from './dto/recommendation.dto.js';
import { HEIMDALL } from './heimdall.lever.js';
import { idempotencyConflict, recommendationNotFound, refused, unknownDomain } from './heimdall.errors.js';
import { HeimdallRepository } from './heimdall.repository.js';
import { HeimdallRecommendationsRepository, type RecommendationRow } from './heimdall-recommendations.repository.js';
import { type RecordTrialInput, HeimdallTrialsService } from './heimdall-trials.service.js';
import { ratioInput } from './ratio-input.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RecommendInput {
  domain: string;
  confidence: string | number;
  payload?: Record<string, unknown>;
  correlation_id?: string;
}

export interface CheckInput {
  actor?: string;
  correlation_id?: string;
}

/** A production-eligibility check read but not yet recorded (see readProdEligibility / recordCheck). */
export interface EligibilityCheck {
  eligibility: EligibilityResponseDto;
  decision: GateDecision;
  window: { trials: number; successes: number };
  /** When it was read: the recorded event carries this time. */
  at: Date;
}

/**
 * The in-process API engines call: AI recommendations reach production only when the sandbox has
 * earned it. A recommendation is gated at creation and re-checked, fresh, before it acts; every
 * decision is evaluated by the pure gate stack and recorded as an event.
 */
@Injectable()
export class HeimdallService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: HeimdallRepository,
    private readonly recommendations: HeimdallRecommendationsRepository,
    private readonly trials: HeimdallTrialsService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly goLive: GoLiveService,
  ) {}

  /** Records a sandbox trial (see HeimdallTrialsService.record); here for engines holding this service. */
  recordTrial(principal: Principal, input: RecordTrialInput, headerKey?: string): Promise<TrialResponseDto> {
    return this.trials.record(principal, input, headerKey);
  }

  /**
   * Creates a recommendation, gated at creation. The recommendation and its decision event are
   * written by one statement: neither exists without the other.
   */
  async recommend(principal: Principal, input: RecommendInput, headerKey?: string): Promise<RecommendationResponseDto> {
    const confidence = ratioInput(input.confidence, 'confidence');
    assertDomainAllowed(principal, input.domain);
    const correlationId = idempotencyKey(input.correlation_id, headerKey);
    const payload = input.payload ?? null;
    const digest = requestDigest('heimdall.recommendation', { domain: input.domain, confidence, payload });
    if (correlationId) {
      const replay = await this.replay(correlationId, digest);
      if (replay) return RecommendationResponseDto.from(replay);
    }
    // The cached control-plane row; 503 governance_unavailable when it cannot be read.
    const killSwitchEngaged = await this.goLive.killSwitchEngaged();
    const now = this.clock.now();
    const [card] = await this.repo.windowRows(this.dataSource, utcDay(now), input.domain);
    if (!card) throw unknownDomain(input.domain);
    const window = { trials: Number(card.trials), successes: Number(card.successes) };
    const decision = evaluateGates({ policy: gatePolicy(card), window, confidence, killSwitchEngaged });
    const inserted = await this.recommendations.insertWithEvent({
      domain: input.domain,
      confidence,
      payload,
      correlationId,
      digest,
      decision,
      createdBy: principal.name,
      createdAt: now,
      day: utcDay(now),
      eventDetails: { confidence, prod_eligible: decision.prod_eligible, reason_codes: decision.reason_codes, window, gates: decision.gates },
    });
    if (!inserted) return RecommendationResponseDto.from((await this.replay(correlationId!, digest))!); // lost a same-key race
    this.metrics.decision(HEIMDALL.name, `recommend_${decision.gate_reason}`);
    return RecommendationResponseDto.from(inserted);
  }

  private async replay(correlationId: string, digest: string): Promise<RecommendationRow | undefined> {
    const existing = await this.recommendations.byCorrelationId(correlationId);
    if (existing && existing.request_digest !== digest) throw idempotencyConflict('recommendation', correlationId);
    return existing;
  }

  /**
   * Re-evaluates a recommendation now — current policy, current scorecard window, kill switch —
   * and records the check. Returns the decision whether or not it is eligible.
   */
  async checkProdEligible(recommendationId: string, principal: Principal = SYSTEM_PRINCIPAL, input: CheckInput = {}): Promise<EligibilityResponseDto> {
    const check = await this.readProdEligibility(recommendationId, principal);
    await this.recordCheck(check, principal, input);
    return check.eligibility;
  }

  /**
   * The read half of checkProdEligible: the same fresh decision, recorded nowhere. For a caller
   * that judges first and records later, or never (the gate's evaluation, simulated or not).
   */
  async readProdEligibility(recommendationId: string, principal: Principal = SYSTEM_PRINCIPAL): Promise<EligibilityCheck> {
    if (!UUID.test(recommendationId)) throw recommendationNotFound(recommendationId);
    // Unreadable control plane: 503 governance_unavailable, never an eligible answer.
    const killSwitchEngaged = (await this.goLive.current()).kill_switch_engaged;
    const now = this.clock.now();
    const rec = await this.recommendations.forEligibility(recommendationId, utcDay(now));
    if (!rec) throw recommendationNotFound(recommendationId);
    assertDomainAllowed(principal, rec.domain);
    const confidence = normalizeRatio(rec.confidence)!;
    const window = { trials: Number(rec.trials), successes: Number(rec.successes) };
    const decision = evaluateGates({ policy: gatePolicy(rec), window, confidence, killSwitchEngaged });
    return { eligibility: EligibilityResponseDto.from(rec.id, rec.domain, confidence, decision, now), decision, window, at: now };
  }

  /** The write half: records a check made by readProdEligibility (a `recommendation.checked` event) and counts it. */
  async recordCheck(check: EligibilityCheck, principal: Principal = SYSTEM_PRINCIPAL, input: CheckInput = {}): Promise<void> {
    const { eligibility: e, decision, window } = check;
    await this.repo.insertEvent(this.dataSource, check.at, {
      kind: 'recommendation.checked',
      domain: e.domain,
      recommendationId: e.recommendation_id,
      outcome: decision.gate_reason,
      principal: principal.name,
      details: {
        prod_eligible: decision.prod_eligible,
        reason_codes: decision.reason_codes,
        window,
        gates: decision.gates,
        actor: input.actor ?? null,
        correlation_id: input.correlation_id ?? null,
      },
    });
    this.metrics.decision(HEIMDALL.name, `check_${decision.gate_reason}`);
  }

  /**
   * The in-process gate for engines: resolves with the fresh decision when the recommendation may
   * reach production now; otherwise throws 403 `heimdall_gate_failed` (or `kill_switch_engaged`)
   * with every failing reason code and gate. The check is recorded either way.
   */
  async requireProdEligible(recommendationId: string, principal: Principal = SYSTEM_PRINCIPAL, input: CheckInput = {}): Promise<EligibilityResponseDto> {
    const e = await this.checkProdEligible(recommendationId, principal, input ?? {});
    if (!e.prod_eligible) {
      throw refused(e.reason_codes, { recommendation_id: e.recommendation_id, domain: e.domain, gate_reason: e.gate_reason, gates: e.gates, checked_at: e.checked_at });
    }
    return e;
  }

  /** Newest first; `before` is the previous page's next_cursor. Eligibility filters on the decision at creation. */
  async listRecommendations(query: ListRecommendationsQueryDto): Promise<Page<RecommendationResponseDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await this.recommendations.page({
      domain: query.domain,
      prodEligible: query.prod_eligible,
      before: query.before,
      since: query.since,
      until: query.until,
      limit,
    });
    return toPage(rows, limit, (r) => r.seq, RecommendationResponseDto.from);
  }

  /** One recommendation with every later check of it. */
  async getRecommendation(id: string): Promise<RecommendationDetailDto> {
    if (!UUID.test(id)) throw recommendationNotFound(id);
    const row = await this.recommendations.byId(id);
    if (!row) throw recommendationNotFound(id);
    return RecommendationDetailDto.withChecks(row, await this.recommendations.checks(id));
  }
}
