import { Injectable } from '@nestjs/common';
import { assertDomainAllowed, Clock, idempotencyKey, MetricsService, type Principal, requestDigest, utcDay } from '#platform';
import { TrialResponseDto } from './dto/trial.dto.js';
import { HEIMDALL } from './heimdall.lever.js';
import { HeimdallErrors, idempotencyConflict, recommendationNotFound, unknownDomain } from './heimdall.errors.js';
import { HeimdallRecommendationsRepository } from './heimdall-recommendations.repository.js';
import { HeimdallTrialsRepository } from './heimdall-trials.repository.js';
import { ratioInput } from './ratio-input.js';

export interface RecordTrialInput {
  domain: string;
  success: boolean;
  /** A ratio: canonical decimal string (the HTTP layer normalizes JSON numbers) or a number. */
  confidence: string | number;
  recommendation_id?: string;
  correlation_id?: string;
}

/** Sandbox trials and the exact per-day scorecard counters they move with. */
@Injectable()
export class HeimdallTrialsService {
  constructor(
    private readonly trials: HeimdallTrialsRepository,
    private readonly recommendations: HeimdallRecommendationsRepository,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Records one sandbox trial and bumps the day's counters in one statement. No row back means the
   * key was used before (replay or 409) or the domain has no policy (404) — and nothing was written.
   */
  async record(principal: Principal, input: RecordTrialInput, headerKey?: string): Promise<TrialResponseDto> {
    const confidence = ratioInput(input.confidence, 'confidence');
    assertDomainAllowed(principal, input.domain);
    const correlationId = idempotencyKey(input.correlation_id, headerKey);
    const recommendationId = input.recommendation_id ?? null;
    const digest = requestDigest('heimdall.trial', { domain: input.domain, success: input.success, confidence, recommendation_id: recommendationId });
    if (recommendationId) {
      const domain = await this.recommendations.domainOf(recommendationId);
      if (!domain) throw recommendationNotFound(recommendationId);
      if (domain !== input.domain) {
        throw HeimdallErrors.raise('recommendation_domain_mismatch', `recommendation ${recommendationId} belongs to ${domain}, not ${input.domain}`);
      }
    }
    const now = this.clock.now();
    const inserted = await this.trials.insertCounted({
      day: utcDay(now),
      domain: input.domain,
      success: input.success,
      confidence,
      recommendationId,
      correlationId,
      digest,
      recordedBy: principal.name,
      recordedAt: now,
    });
    if (inserted) {
      this.metrics.decision(HEIMDALL.name, 'trial_recorded');
      return TrialResponseDto.from(inserted);
    }
    const existing = correlationId ? await this.trials.byCorrelationId(correlationId) : undefined;
    if (!existing) throw unknownDomain(input.domain);
    if (existing.request_digest !== digest) throw idempotencyConflict('trial', correlationId!);
    return TrialResponseDto.from(existing);
  }
}
