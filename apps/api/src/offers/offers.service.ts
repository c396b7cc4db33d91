import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { HeimdallService, type Trial } from '#heimdall';
import { Decimal } from 'decimal.js';
import { type Principal, sqlOne, sqlRows, WardenError } from '#platform';
import type { OfferResponseDto, OfferTrialRequestDto, SendOfferRequestDto } from './offer.dto.js';

/** The AI domain this recommender works in (a seeded Heimdall policy). */
export const OFFER_DOMAIN = 'WHOLESALE_OFFER';
const COLUMNS = `id, buyer, trim_scale(amount)::text AS amount, recommendation_id, correlation_id, sent_by, sent_at`;

interface OfferRow {
  id: string;
  buyer: string;
  amount: string;
  recommendation_id: string;
  correlation_id: string;
  sent_by: string;
  sent_at: Date;
}

/**
 * An example AI engine: a wholesale offer recommender. In the sandbox it records how its offers
 * fared; in production it sends an offer only when Heimdall says the sandbox has earned it.
 */
@Injectable()
export class OffersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly heimdall: HeimdallService,
  ) {}

  /** A sandbox run: the offer was tried on a sandbox buyer, and this is how it went. */
  trial(principal: Principal, input: OfferTrialRequestDto): Promise<Trial> {
    return this.heimdall.recordTrial(principal, {
      domain: OFFER_DOMAIN,
      success: input.accepted,
      confidence: input.confidence,
      correlation_id: input.correlation_id && `offer-trial:${input.correlation_id}`,
    });
  }

  async send(principal: Principal, input: SendOfferRequestDto): Promise<OfferResponseDto> {
    const correlationId = input.correlation_id ?? randomUUID();
    const sent = await this.find(correlationId);
    if (sent) return this.replay(sent, input);

    // The two-line integration: recommend, then require production eligibility (throws 403 with the gate reason).
    const rec = await this.heimdall.recommend(principal, {
      domain: OFFER_DOMAIN,
      confidence: input.confidence,
      payload: { buyer: input.buyer, amount: input.amount },
      correlation_id: `offer:${correlationId}`,
    });
    await this.heimdall.requireProdEligible(rec.id, principal, { correlation_id: correlationId });

    const row = await sqlOne<OfferRow>(
      this.dataSource,
      `INSERT INTO offer (buyer, amount, recommendation_id, correlation_id, sent_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (correlation_id) DO NOTHING RETURNING ${COLUMNS}`,
      [input.buyer, input.amount, rec.id, correlationId, principal.name],
    );
    return row ? toOffer(row) : this.replay((await this.find(correlationId))!, input);
  }

  /**
   * A retry under a key already used: the offer sent, when the request is the same (buyer, amount and
   * confidence, compared as values); otherwise 409 idempotency_conflict, revealing nothing of the original.
   */
  private async replay(sent: OfferResponseDto, input: SendOfferRequestDto): Promise<OfferResponseDto> {
    const rec = await this.heimdall.getRecommendation(sent.recommendation_id);
    const same = sent.buyer === input.buyer && new Decimal(sent.amount).eq(input.amount) && new Decimal(rec.confidence).eq(input.confidence);
    if (!same) {
      throw WardenError.conflict('idempotency_conflict', `correlation_id ${sent.correlation_id} was already used to send a different offer`, {
        correlation_id: sent.correlation_id,
      });
    }
    return sent;
  }

  async list(): Promise<OfferResponseDto[]> {
    return (await sqlRows<OfferRow>(this.dataSource, `SELECT ${COLUMNS} FROM offer ORDER BY sent_at DESC LIMIT 100`)).map(toOffer);
  }

  private async find(correlationId: string): Promise<OfferResponseDto | undefined> {
    const row = await sqlOne<OfferRow>(this.dataSource, `SELECT ${COLUMNS} FROM offer WHERE correlation_id = $1`, [correlationId]);
    return row && toOffer(row);
  }
}

function toOffer(r: OfferRow): OfferResponseDto {
  return { ...r, sent_at: new Date(r.sent_at).toISOString() };
}
