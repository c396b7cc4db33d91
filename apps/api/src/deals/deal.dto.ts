import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { TextField } from '#platform';
import type { DealEntity } from './deal.entity.js';

export class CreateDealRequestDto {
  @TextField('Who the deal is with', { max: 200 })
  counterparty: string;

  @ApiProperty({ description: 'Deal amount: a positive decimal (number or string, at most 4 fraction digits)', example: '125.50' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value))
  @IsString()
  @Matches(/^(?=.*[1-9])\d{1,11}(\.\d{1,4})?$/, { message: 'amount must be a positive decimal with at most 4 fraction digits' })
  amount: string;

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
