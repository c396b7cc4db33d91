import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { CorrelationIdField, RatioField } from '#heimdall';
import { BooleanField, TextField } from '#platform';

/** Money as in the deals example: a positive decimal, at most 4 fraction digits, kept as a string. */
const AmountField = () =>
  applyDecorators(
    ApiProperty({ description: 'Offer amount: a positive decimal (number or string, at most 4 fraction digits)', example: '1250.00' }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value)),
    IsString(),
    Matches(/^(?=.*[1-9])\d{1,11}(\.\d{1,4})?$/, { message: 'amount must be a positive decimal with at most 4 fraction digits' }),
  );

export class SendOfferRequestDto {
  @TextField('The buyer the offer goes to', { max: 200 })
  buyer: string;

  @AmountField()
  amount: string;

  @RatioField('The recommender’s confidence in this offer')
  confidence: string;

  @CorrelationIdField('Client key: a retry returns the offer already sent (or asks Heimdall again if it was refused)', 100)
  correlation_id?: string;
}

export class OfferTrialRequestDto {
  @TextField('The (sandbox) buyer', { max: 200 })
  buyer: string;

  @AmountField()
  amount: string;

  @BooleanField('Did the sandbox buyer accept the recommended offer?', false)
  accepted: boolean;

  @RatioField('The recommender’s confidence in this offer')
  confidence: string;

  @CorrelationIdField(undefined, 100)
  correlation_id?: string;
}

export class OfferResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() buyer: string;
  @ApiProperty() amount: string;
  @ApiProperty({ description: 'The Heimdall recommendation that let this offer out' }) recommendation_id: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty() sent_by: string;
  @ApiProperty() sent_at: string;
}
