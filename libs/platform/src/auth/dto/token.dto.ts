import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { TextField } from '../../http/validation.js';
import type { ApiTokenEntity } from '../api-token.entity.js';
import { IDENTITY_PATTERN, ROLES, type Role, TOKEN_NAME_PATTERN, tokenPerson } from '../principal.js';

const trimList = ({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value);

const upperList = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v)) : value;

export class CreateTokenRequestDto {
  @TextField('Principal name recorded (with the token id) on everything this token does: unique whatever its case, not a reserved name (system, bootstrap, ...)', { max: 100 })
  @ApiProperty({ example: 'pricing-engine' })
  @Matches(TOKEN_NAME_PATTERN, { message: 'name must be 1-100 ASCII letters, digits, spaces or ._@+- and start with a letter or digit' })
  name: string;

  @ApiProperty({ enum: ROLES, example: 'engine' })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ type: [String], example: ['WHOLESALE'], description: 'Engine tokens only: the engines it may act on (omit both engines and domains for all; see docs/auth.md)' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Transform(upperList)
  @Matches(/^[A-Z0-9_]{1,32}$/, { each: true, message: 'each engine must match [A-Z0-9_]{1,32}' })
  engines?: string[];

  @ApiPropertyOptional({ type: [String], example: ['WHOLESALE'], description: 'Engine tokens only: the Heimdall and tripwire domains it may act on (see docs/auth.md)' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Transform(upperList)
  @Matches(/^[A-Z0-9_]{1,32}$/, { each: true, message: 'each domain must match [A-Z0-9_]{1,32}' })
  domains?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['agent-pricing'],
    description: 'Engine tokens only: the gate identities (context.identity) it may claim besides its own name, compared exactly (see docs/auth.md)',
  })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Transform(trimList) @IsString({ each: true })
  @Matches(IDENTITY_PATTERN, { each: true, message: 'each identity must be 1-200 printable characters without "/"' })
  identities?: string[];

  @ApiPropertyOptional({
    example: 'alice',
    description:
      'The person the token belongs to (approvals count persons): a plain name like a token name. Left out, the token is its own person (owner = its name). See docs/auth.md, "Persons"',
  })
  @IsOptional() @IsString() @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @Matches(TOKEN_NAME_PATTERN, { message: 'owner must be 1-100 ASCII letters, digits, spaces or ._@+- and start with a letter or digit' })
  owner?: string;
}

export class RevokeTokenRequestDto {
  @TextField('Why the token is revoked', { optional: true })
  reason?: string;
}

export class TokenResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ type: [String], nullable: true, description: 'The engines an engine token is bound to; null: all' }) engines: string[] | null;
  @ApiProperty({ type: [String], nullable: true, description: 'The domains an engine token is bound to; null: all' }) domains: string[] | null;
  @ApiProperty({ type: [String], nullable: true, description: 'The gate identities an engine token may claim besides its own name; null: only its name' }) identities: string[] | null;
  @ApiProperty({ description: 'The person the token belongs to (its own name unless given at creation)' }) owner: string;
  @ApiProperty({ description: 'That person as approvals compare it: token:<owner, lower case>, or oidc:<issuer>#<subject> for a token an SSO person created for itself' }) person: string;
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string;
  @ApiProperty({ description: 'The name of the token that created it' }) created_by: string;
  @ApiProperty({ type: String, nullable: true, description: "The creator's person (system: Warden itself): approvals refuse a token made by the requester's person" })
  created_by_person: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revoked_at: string | null;
  @ApiPropertyOptional({ type: String, description: 'The token itself: returned once, at creation' }) token?: string;

  static from(entity: ApiTokenEntity, token?: string): TokenResponseDto {
    return {
      id: entity.id,
      name: entity.name,
      role: entity.role,
      engines: entity.engines,
      domains: entity.domains,
      identities: entity.identities ?? null,
      owner: entity.owner,
      person: tokenPerson(entity.owner, entity.ownerPerson),
      created_at: new Date(entity.createdAt).toISOString(),
      created_by: entity.createdBy,
      created_by_person: entity.createdByPerson ?? null,
      revoked_at: entity.revokedAt ? new Date(entity.revokedAt).toISOString() : null,
      ...(token ? { token } : {}),
    };
  }
}
