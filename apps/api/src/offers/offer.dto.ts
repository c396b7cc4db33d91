import { ApiProperty } from '@nestjs/swagger';
import { AmountField, BooleanField, CorrelationIdField, RatioField, TextField } from '#platform';
import type { OfferRow } from './offers.repository.js';

export class SendOfferRequestDto {
  @TextField('The buyer the offer goes to', { max: 200 })
  buyer: string;

  @AmountField('Offer amount', { example: '1250.00' })
  amount: string;

  @RatioField('The recommender’s confidence in this offer')
  confidence: string;

  @CorrelationIdField('Client key: a retry returns the offer already sent (or asks Heimdall again if it was refused)')
  correlation_id?: string;
}

export class OfferTrialRequestDto {
  @TextField('The (sandbox) buyer', { max: 200 })
  buyer: string;

  @AmountField('Offer amount', { example: '1250.00' })
  amount: string;

  @BooleanField('Did the sandbox buyer accept the recommended offer?', false)
  accepted: boolean;

  @RatioField('The recommender’s confidence in this offer')
  confidence: string;

  @CorrelationIdField()
  correlation_id?: string;
}

export class OfferResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() buyer: string;
  @ApiProperty({ example: '1250' }) amount: string;
  @ApiProperty({ description: 'The Heimdall recommendation that let this offer out' }) recommendation_id: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty() sent_by: string;
  @ApiProperty({ format: 'date-time' }) sent_at: string;

  static from(r: OfferRow): OfferResponseDto {
    return { ...r, sent_at: new Date(r.sent_at).toISOString() };
  }
}
