import { ApiProperty } from '@nestjs/swagger';
import { CorrelationIdField, RatioField } from '#heimdall';
import { AmountField, BooleanField, TextField } from '#platform';

export class SendOfferRequestDto {
  @TextField('The buyer the offer goes to', { max: 200 })
  buyer: string;

  @AmountField('Offer amount', { example: '1250.00' })
  amount: string;

  @RatioField('The recommender’s confidence in this offer')
  confidence: string;

  @CorrelationIdField('Client key: a retry returns the offer already sent (or asks Heimdall again if it was refused)', 100)
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
