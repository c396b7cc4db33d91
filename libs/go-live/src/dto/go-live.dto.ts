import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BooleanField, TextField } from '#platform';

/** Bodies may be JSON or form-encoded (`curl -d "actor=ops&reason=..."`). `actor` is a label, never trusted. */
export class EnableGoLiveRequestDto {
  @TextField('Free label of who is acting (recorded beside the token principal)', { optional: true, max: 100 })
  actor?: string;

  @TextField('Why', { optional: true })
  reason?: string;
}

export class GoLiveChangeRequestDto {
  @TextField('Free label of who is acting (recorded beside the token principal)', { optional: true, max: 100 })
  actor?: string;

  @TextField('Why (required)')
  reason: string;
}

export class AttestRequestDto {
  @BooleanField('true to attest the item, false to withdraw the attestation', false)
  attested: boolean;

  @TextField('Evidence or note', { optional: true })
  note?: string;

  @TextField('Free label of who is acting', { optional: true, max: 100 })
  actor?: string;
}

export class GoLiveStateResponseDto {
  @ApiProperty() go_live_enabled: boolean;
  @ApiProperty() kill_switch_engaged: boolean;
  @ApiProperty({ description: 'Whether this instance enforces go-live (ENV=production or GO_LIVE_ENFORCE=1)' }) enforced: boolean;
  @ApiPropertyOptional({ nullable: true }) reason: string | null;
  @ApiProperty() changed_by: string;
  @ApiProperty() updated_at: string;
}

export class ChecklistItemDto {
  @ApiProperty() ok: boolean;
  @ApiProperty() detail: string;
}

export class ChecklistResponseDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/ChecklistItemDto' } })
  required: Record<string, ChecklistItemDto>;
}
