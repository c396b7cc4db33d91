import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { type Principal, sqlOne } from '#platform';
import { RiskGuardService } from '#risk-guard';
import { CreateDealRequestDto } from './deal.dto.js';
import { DealEntity } from './deal.entity.js';

const ENGINE = 'WHOLESALE';
const COLUMNS = `id, engine, counterparty, trim_scale(amount)::text AS amount, correlation_id AS "correlationId", created_by AS "createdBy", created_at AS "createdAt"`;

/**
 * The example engine: it books wholesale deals, each inside the risk guard's two-line integration —
 * reserve the deal's amount on WHOLESALE (or be refused with the reason codes), book, settle.
 */
@Injectable()
export class DealsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly riskGuard: RiskGuardService,
  ) {}

  list(): Promise<DealEntity[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM deal ORDER BY created_at DESC LIMIT 100`);
  }

  async create(principal: Principal, input: CreateDealRequestDto): Promise<DealEntity> {
    const correlationId = input.correlation_id ?? randomUUID();
    // A retry with the same correlation_id replays the reservation (same body) or is refused 409 (different body).
    const riskKey = `deal:${correlationId}`;
    // Refused before anything is reserved or booked: a settle could not book this loss (422 loss_exceeds_reservation).
    await this.riskGuard.assertLossWithinBound(ENGINE, input.amount, input.realized_loss ?? '0');
    await this.riskGuard.reserveOrThrow({ engine: ENGINE, amount: input.amount, correlationId: riskKey, reason: `deal with ${input.counterparty}`, principal });
    const deal = await this.record(principal, input, correlationId);
    await this.riskGuard.settle({ correlationId: riskKey, engine: ENGINE, realizedLoss: input.realized_loss ?? '0', principal });
    return deal;
  }

  private async record(principal: Principal, input: CreateDealRequestDto, correlationId: string): Promise<DealEntity> {
    const inserted = await sqlOne<DealEntity>(
      this.dataSource,
      `INSERT INTO deal (engine, counterparty, amount, correlation_id, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (correlation_id) DO NOTHING RETURNING ${COLUMNS}`,
      [ENGINE, input.counterparty, input.amount, correlationId, principal.name],
    );
    return inserted ?? (await sqlOne<DealEntity>(this.dataSource, `SELECT ${COLUMNS} FROM deal WHERE correlation_id = $1`, [correlationId]))!;
  }
}
