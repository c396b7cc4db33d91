import { ApiProperty } from '@nestjs/swagger';
import { AmountField, CorrelationIdField, TextField } from '#platform';
import type { DealRow } from './deals.repository.js';

export class CreateDealRequestDto {
  @TextField('Who the deal is with', { max: 200 })
  counterparty: string;

  @AmountField('Deal amount, reserved on the WHOLESALE risk budget before the deal is booked', { example: '125.50' })
  amount: string;

  @AmountField('Loss the deal realized, settled onto the risk ledger once the deal is booked (default 0)', { allowZero: true, optional: true, example: '0' })
  realized_loss?: string;

  @CorrelationIdField('Client key that makes a retry return the original deal')
  correlation_id?: string;
}

export class DealResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'WHOLESALE' }) engine: string;
  @ApiProperty() counterparty: string;
  @ApiProperty({ example: '125.5' }) amount: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty() created_by: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static from(d: DealRow): DealResponseDto {
    return {
      id: d.id,
      engine: d.engine,
      counterparty: d.counterparty,
      amount: d.amount,
      correlation_id: d.correlation_id,
      created_by: d.created_by,
      created_at: new Date(d.created_at).toISOString(),
    };
  }
}
