import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BooleanField, TextField } from '#platform';
import type { ChecklistItem } from '#platform';
import type { GoLiveStateRow } from '../go-live.repository.js';

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
  @ApiProperty({ type: String, nullable: true, description: 'Why the last change was made' }) reason: string | null;
  @ApiProperty({ description: 'Principal of the last change' }) changed_by: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static from(row: GoLiveStateRow, enforced: boolean): GoLiveStateResponseDto {
    return {
      go_live_enabled: row.go_live_enabled,
      kill_switch_engaged: row.kill_switch_engaged,
      enforced,
      reason: row.reason,
      changed_by: row.changed_by,
      updated_at: new Date(row.updated_at).toISOString(),
    };
  }
}

export class CheckResultDto {
  @ApiProperty() ok: boolean;
  @ApiProperty() detail: string;
}

export class ChecklistItemDto extends CheckResultDto {
  @ApiPropertyOptional({
    description: 'For items several levers contribute to (required_packs_installed): each contribution',
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/CheckResultDto' },
  })
  parts?: Record<string, CheckResultDto>;
}

export class ChecklistResponseDto {
  @ApiProperty({ description: 'true when every required item is ok' }) ok: boolean;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/ChecklistItemDto' } })
  required: Record<string, ChecklistItemDto>;

  static from(required: Record<string, ChecklistItem>): ChecklistResponseDto {
    return { ok: Object.values(required).every((i) => i.ok), required };
  }
}
