import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { HeimdallService, type Trial } from '#heimdall';
import type { Principal } from '#platform';
import { scopedKey } from '../common/scoped-key.js';
import { type OfferTrialRequestDto, OfferResponseDto, type SendOfferRequestDto } from './offer.dto.js';
import { OfferErrors } from './offers.errors.js';
import { type OfferRow, OffersRepository } from './offers.repository.js';

/** The AI domain this recommender works in (a seeded Heimdall policy). */
export const OFFER_DOMAIN = 'WHOLESALE_OFFER';

/**
 * An example AI engine: a wholesale offer recommender. In the sandbox it records how its offers
 * fared; in production it sends an offer only when Heimdall says the sandbox has earned it.
 */
@Injectable()
export class OffersService {
  constructor(
    private readonly offers: OffersRepository,
    private readonly heimdall: HeimdallService,
  ) {}

  /** A sandbox run: the offer was tried on a sandbox buyer, and this is how it went. */
  trial(principal: Principal, input: OfferTrialRequestDto): Promise<Trial> {
    return this.heimdall.recordTrial(principal, {
      domain: OFFER_DOMAIN,
      success: input.accepted,
      confidence: input.confidence,
      correlation_id: input.correlation_id && scopedKey('offer-trial', input.correlation_id),
    });
  }

  async send(principal: Principal, input: SendOfferRequestDto): Promise<OfferResponseDto> {
    const correlationId = input.correlation_id ?? randomUUID();
    const sent = await this.offers.byKey(correlationId);
    if (sent) return this.replay(sent, input);

    // The two-line integration: recommend, then require production eligibility (throws 403 with the gate reason).
    const rec = await this.heimdall.recommend(principal, {
      domain: OFFER_DOMAIN,
      confidence: input.confidence,
      payload: { buyer: input.buyer, amount: input.amount },
      correlation_id: scopedKey('offer', correlationId),
    });
    await this.heimdall.requireProdEligible(rec.id, principal, { correlation_id: correlationId });

    const row = await this.offers.insertOnce({ buyer: input.buyer, amount: input.amount, recommendation_id: rec.id, correlation_id: correlationId, sent_by: principal.name });
    return row ? OfferResponseDto.from(row) : this.replay((await this.offers.byKey(correlationId))!, input);
  }

  /**
   * A retry under a key already used: the offer sent, when the request is the same (buyer, amount and
   * confidence, compared as values); otherwise 409 idempotency_conflict, revealing nothing of the original.
   */
  private async replay(sent: OfferRow, input: SendOfferRequestDto): Promise<OfferResponseDto> {
    const rec = await this.heimdall.getRecommendation(sent.recommendation_id);
    const same = sent.buyer === input.buyer && new Decimal(sent.amount).eq(input.amount) && new Decimal(rec.confidence).eq(input.confidence);
    if (!same) {
      throw OfferErrors.raise('idempotency_conflict', `correlation_id ${sent.correlation_id} was already used to send a different offer`, {
        details: { correlation_id: sent.correlation_id },
      });
    }
    return OfferResponseDto.from(sent);
  }

  async list(): Promise<OfferResponseDto[]> {
    return (await this.offers.recent()).map(OfferResponseDto.from);
  }
}
