import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { BaseVersionField, controlVersion } from '#approvals';
import { BooleanField, RatioField, TextField } from '#platform';
import { ROLLOUT_MODES, type RolloutMode } from '../decide/combine.js';
import type { PolicyListRow, PolicyRow, VersionRow } from '../gate.repository.js';

/** A policy name: lower-case `[a-z0-9][a-z0-9._-]{0,63}` (the path segment of /gate/policies/{name}). */
export const POLICY_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class PolicyNameParams {
  @ApiProperty({ example: 'default', pattern: POLICY_NAME_PATTERN.source })
  @IsString()
  @Matches(POLICY_NAME_PATTERN, { message: 'name must match [a-z0-9][a-z0-9._-]{0,63}' })
  name: string;
}

const ModeField = (optional: boolean) => (optional ? ApiPropertyOptional : ApiProperty)({ enum: ROLLOUT_MODES, example: 'enforce', description: 'Rollout mode: observe (never acts), dry_run, enforce' });

/** `PUT /gate/policies/{name}` query: set the mode / trust threshold, activate the new version. */
export class PutPolicyQueryDto {
  @ModeField(true)
  @IsOptional()
  @IsIn(ROLLOUT_MODES)
  mode?: RolloutMode;

  @RatioField('Trust score below which the gate blocks (default 0.5 for a new policy)', { optional: true, example: 0.5 })
  trust_threshold?: string;

  @BooleanField('Make this version the active one (a new name activates its first version anyway)')
  activate?: boolean;

  @BaseVersionField()
  base_version?: string;
}

/** The JSON form of the PUT body (or send the YAML itself as application/yaml or text/yaml). */
export class PutPolicyJsonDto {
  @ApiProperty({ description: 'The gait.gate.policy YAML text', example: 'default_verdict: allow\nrules: []\n' })
  yaml: string;

  @ModeField(true)
  mode?: RolloutMode;

  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: 1, example: 0.5 })
  trust_threshold?: number | string;

  @ApiPropertyOptional({ type: Boolean })
  activate?: boolean;
}

export class ActivatePolicyDto {
  @ApiProperty({ description: 'The version digest (policy_digest) to activate', example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'digest must be 64 lower-case hex digits' })
  digest: string;

  @TextField('Why', { optional: true })
  reason?: string;

  @BaseVersionField()
  base_version?: string;
}

export class SetModeDto {
  @ModeField(false)
  @IsIn(ROLLOUT_MODES)
  mode: RolloutMode;

  @RatioField('Trust score below which the gate blocks', { optional: true, example: 0.5 })
  trust_threshold?: string;

  @TextField('Why', { optional: true })
  reason?: string;

  @BaseVersionField()
  base_version?: string;
}

export class GatePolicyResponseDto {
  @ApiProperty({ example: 'default' }) name: string;
  @ApiProperty({ description: 'policy_digest of the active version' }) active_digest: string;
  @ApiProperty({ enum: ROLLOUT_MODES }) mode: RolloutMode;
  @ApiProperty({ example: 0.5 }) trust_threshold: number;
  @ApiProperty() updated_by: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiProperty({ description: 'The version of the policy\'s row (active digest, mode, threshold): send it as base_version with a change to have it refused if the row changed since' })
  control_version: string;

  static from(row: PolicyRow): GatePolicyResponseDto {
    const view = {
      name: row.name,
      active_digest: row.active_digest,
      mode: row.mode,
      trust_threshold: Number(row.trust_threshold),
      updated_by: row.updated_by,
      updated_at: new Date(row.updated_at).toISOString(),
    };
    return Object.assign(new GatePolicyResponseDto(), view, { control_version: controlVersion(view) });
  }
}

export class GatePolicySummaryDto extends GatePolicyResponseDto {
  @ApiProperty() versions: number;
  @ApiProperty() rule_count: number;

  static fromList(row: PolicyListRow): GatePolicySummaryDto {
    return Object.assign(new GatePolicySummaryDto(), GatePolicyResponseDto.from(row), { versions: row.versions, rule_count: row.rule_count });
  }
}

export class GatePolicyListDto {
  @ApiProperty({ type: [GatePolicySummaryDto] }) items: GatePolicySummaryDto[];
}

export class GatePolicyVersionDto {
  @ApiProperty() digest: string;
  @ApiProperty() rule_count: number;
  @ApiProperty() active: boolean;
  @ApiProperty() created_by: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty() yaml: string;

  static from(row: VersionRow, activeDigest: string | null): GatePolicyVersionDto {
    return Object.assign(new GatePolicyVersionDto(), {
      digest: row.digest,
      rule_count: row.rule_count,
      active: row.digest === activeDigest,
      created_by: row.created_by,
      created_at: new Date(row.created_at).toISOString(),
      yaml: row.yaml,
    });
  }
}

export class GatePolicyDetailDto extends GatePolicyResponseDto {
  @ApiProperty({ type: [GatePolicyVersionDto], description: 'Every version, newest first' }) versions: GatePolicyVersionDto[];

  static withVersions(row: PolicyRow, versions: VersionRow[]): GatePolicyDetailDto {
    return Object.assign(new GatePolicyDetailDto(), GatePolicyResponseDto.from(row), { versions: versions.map((v) => GatePolicyVersionDto.from(v, row.active_digest)) });
  }
}

export class PutPolicyResponseDto {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'policy_digest of the version sent' }) digest: string;
  @ApiProperty({ description: 'false when this content was already stored under this name (idempotent re-PUT)' }) version_created: boolean;
  @ApiProperty() rule_count: number;
  @ApiProperty({ type: GatePolicyResponseDto }) policy: GatePolicyResponseDto;

  static from(name: string, digest: string, created: boolean, ruleCount: number, policy: GatePolicyResponseDto): PutPolicyResponseDto {
    return Object.assign(new PutPolicyResponseDto(), { name, digest, version_created: created, rule_count: ruleCount, policy });
  }
}
