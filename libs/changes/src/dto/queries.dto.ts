import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

export class ChangeRequestIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  request_id: string;
}

/** FastAPI's bool parsing, which Autopack's agents rely on: true/false, 1/0, yes/no, on/off. */
const bool = ({ value }: { value: unknown }) => {
  const v = String(value).toLowerCase();
  return ['true', '1', 'yes', 'on'].includes(v) ? true : ['false', '0', 'no', 'off'].includes(v) ? false : value;
};

export class ChangeApproveQueryDto {
  @ApiPropertyOptional({ default: true, description: 'true approves, false denies (Autopack: default true)' })
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  approved?: boolean;

  @ApiPropertyOptional({ description: "Autopack's approver id: recorded as a label beside the caller's principal, never trusted", maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  user_id?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

const limit = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

export class ChangeListQueryDto {
  @ApiPropertyOptional({ description: 'Only this run', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  run_id?: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Transform(limit)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'History only: the next_before of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,19}$/)
  before?: string;
}

export class BreakGlassRequestDto {
  @ApiProperty({ description: 'Why this one change cannot wait for the normal approval', maxLength: 1000 })
  @IsString()
  @MaxLength(1000)
  reason: string;
}

export class ChangePolicyActivateDto {
  @ApiProperty({ description: 'A stored version (or the built-in default) by digest' })
  @Matches(/^[0-9a-f]{64}$/)
  digest: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class ChangePolicyDigestParams {
  @ApiProperty()
  @Matches(/^[0-9a-f]{64}$/)
  digest: string;
}

export class ChangePolicyPutQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Activate the stored version at once' })
  @IsOptional()
  @Matches(/^(true|false|1|0)$/)
  activate?: string;
}
