import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { TextField } from '#platform';
import type { ApprovalKeyRow } from '../approval-keys.repository.js';

export class RegisterApprovalKeyDto {
  @ApiProperty({ description: "The ed25519 public key as gait writes it: standard base64 of the raw 32 bytes (gait keys init's .pub file)", example: 'z6qK1m0Yy0xWfV3Dq4v2mC0u7qgZ1v8kT3eQe6x9cXk=' })
  @IsString()
  @MaxLength(100)
  public_key: string;

  @ApiProperty({ description: 'Who holds the private key (shown in the decision trace and the audit)', example: 'release-ci' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, { message: 'name must be 1-100 letters, digits, . _ @ -' })
  name: string;

  @TextField('Why this key may approve gate intents')
  reason: string;
}

export class RevokeApprovalKeyDto {
  @TextField('Why the key no longer approves')
  reason: string;
}

export class ApprovalKeyIdParams {
  @ApiProperty({ description: "gait's key id: sha256 hex of the raw public key", example: 'a'.repeat(64) })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'key_id must be 64 lower-case hex digits' })
  key_id: string;
}

export class ApprovalKeyDto {
  @ApiProperty() key_id: string;
  @ApiProperty() public_key: string;
  @ApiProperty() name: string;
  @ApiProperty() registered_by: string;
  @ApiProperty() registered_at: string;
  @ApiProperty({ type: String, nullable: true }) revoked_by: string | null;
  @ApiProperty({ type: String, nullable: true }) revoked_at: string | null;

  static from(row: ApprovalKeyRow): ApprovalKeyDto {
    return Object.assign(new ApprovalKeyDto(), {
      key_id: row.key_id,
      public_key: row.public_key,
      name: row.name,
      registered_by: row.registered_by,
      registered_at: row.registered_at.toISOString(),
      revoked_by: row.revoked_by,
      revoked_at: row.revoked_at ? row.revoked_at.toISOString() : null,
    });
  }
}

export class ApprovalKeyListDto {
  @ApiProperty({ type: [ApprovalKeyDto] }) items: ApprovalKeyDto[];
}
