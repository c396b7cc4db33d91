import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Principal } from '#platform';
import { RiskGuardService } from '#risk-guard';
import { scopedKey } from '../common/scoped-key.js';
import { type CreateDealRequestDto, DealResponseDto } from './deal.dto.js';
import { DealsRepository } from './deals.repository.js';

const ENGINE = 'WHOLESALE';

/**
 * The example engine: it books wholesale deals, each inside the risk guard's two-line integration —
 * reserve the deal's amount on WHOLESALE (or be refused with the reason codes), book, settle.
 */
@Injectable()
export class DealsService {
  constructor(
    private readonly deals: DealsRepository,
    private readonly riskGuard: RiskGuardService,
  ) {}

  async list(): Promise<DealResponseDto[]> {
    return (await this.deals.recent()).map(DealResponseDto.from);
  }

  async create(principal: Principal, input: CreateDealRequestDto): Promise<DealResponseDto> {
    const correlationId = input.correlation_id ?? randomUUID();
    // A retry with the same correlation_id replays the reservation (same body) or is refused 409 (different body).
    const riskKey = scopedKey('deal', correlationId);
    // Refused before anything is reserved or booked: a settle could not book this loss (422 loss_exceeds_reservation).
    await this.riskGuard.assertLossWithinBound(ENGINE, input.amount, input.realized_loss ?? '0');
    await this.riskGuard.reserveOrThrow({ engine: ENGINE, amount: input.amount, correlationId: riskKey, reason: `deal with ${input.counterparty}`, principal });
    const deal = await this.deals.insertOnce({
      engine: ENGINE,
      counterparty: input.counterparty,
      amount: input.amount,
      correlation_id: correlationId,
      created_by: principal.name,
    });
    await this.riskGuard.settle({ correlationId: riskKey, engine: ENGINE, realizedLoss: input.realized_loss ?? '0', principal });
    return DealResponseDto.from(deal);
  }
}
