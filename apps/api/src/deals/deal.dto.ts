import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { TextField } from '#platform';
import { AmountField } from '#risk-guard';
import type { DealEntity } from './deal.entity.js';

export class CreateDealRequestDto {
  @TextField('Who the deal is with', { max: 200 })
  counterparty: string;

  @AmountField('Deal amount, reserved on the WHOLESALE risk budget before the deal is booked', { example: '125.50' })
  amount: string;

  @AmountField('Loss the deal realized, settled onto the risk ledger once the deal is booked (default 0)', { allowZero: true, optional: true, example: '0' })
  realized_loss?: string;

  @ApiProperty({ required: false, description: 'Client key that makes a retry return the original deal' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'correlation_id must be 1-128 of [A-Za-z0-9._:-]' })
  correlation_id?: string;
}

export class DealResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() engine: string;
  @ApiProperty() counterparty: string;
  @ApiProperty() amount: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty() created_by: string;
  @ApiProperty() created_at: string;

  static from(d: DealEntity): DealResponseDto {
    return {
      id: d.id,
      engine: d.engine,
      counterparty: d.counterparty,
      amount: d.amount,
      correlation_id: d.correlationId,
      created_by: d.createdBy,
      created_at: new Date(d.createdAt).toISOString(),
    };
  }
}
