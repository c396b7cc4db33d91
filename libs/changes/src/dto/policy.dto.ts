import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ChangePolicyPutJsonDto {
  @ApiProperty({ description: 'The policy YAML' }) yaml: string;
  @ApiPropertyOptional() activate?: boolean;
  @ApiPropertyOptional() reason?: string;
}

export class ChangePolicyPutResponseDto {
  @ApiProperty() digest: string;
  @ApiProperty({ description: 'false: this version was already stored' }) created: boolean;
  @ApiProperty() activated: boolean;
  @ApiProperty() active_digest: string;
}

export class ChangePolicyActivationResponseDto {
  @ApiProperty() active_digest: string;
  @ApiProperty() activated_by: string;
  @ApiProperty() activated_at: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
}

export class ChangePolicyCurrentDto {
  @ApiProperty() active_digest: string;
  @ApiProperty({ enum: ['built_in', 'stored'] }) source: string;
  @ApiProperty({ type: String, nullable: true }) activated_by: string | null;
  @ApiProperty({ type: String, nullable: true }) activated_at: string | null;
  @ApiProperty({ description: "Autopack's built-in default" }) default_digest: string;
  @ApiProperty() yaml: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The normalized policy its digest covers' }) policy: object;
}

export class ChangePolicyVersionDto {
  @ApiProperty() digest: string;
  @ApiProperty() yaml: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) policy: object;
  @ApiProperty() created_by: string;
  @ApiProperty({ type: String, nullable: true }) created_at: string | null;
}

export class ChangePolicyVersionItemDto {
  @ApiProperty() digest: string;
  @ApiProperty() created_by: string;
  @ApiProperty() created_at: string;
}

export class ChangePolicyActivationItemDto {
  @ApiProperty() digest: string;
  @ApiProperty() activated_by: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty() activated_at: string;
}

export class ChangePolicyHistoryDto {
  @ApiProperty() default_digest: string;
  @ApiProperty({ type: [ChangePolicyVersionItemDto], description: 'Newest first' }) versions: ChangePolicyVersionItemDto[];
  @ApiProperty({ type: [ChangePolicyActivationItemDto], description: 'Newest first; the first is in force' }) activations: ChangePolicyActivationItemDto[];
}
