import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { IDENTITY_PATTERN, IdentifierField, NextCursorProperty, PageQueryDto } from '#platform';
import { ROLLOUT_MODES, type RolloutMode } from '../decide/combine.js';
import { VERDICTS, type Verdict } from '../decide/strings.js';
import type { StoredDecisionRow } from '../gate.repository.js';
import { GateTraceStepDto } from './evaluate.dto.js';
import { POLICY_NAME_PATTERN } from './policy.dto.js';

/** `GET /gate/decisions`: the platform's paging (newest first, ?before=, [since, until)) and the log's own filters. */
export class GateDecisionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: VERDICTS, description: 'Only decisions with this verdict' })
  @IsOptional()
  @IsIn(VERDICTS, { message: `verdict must be one of ${VERDICTS.join(', ')}` })
  verdict?: Verdict;

  @ApiPropertyOptional({ description: "Only this identity (the intent's context.identity)", example: 'agent-alice' })
  @IsOptional()
  @IsString()
  @Matches(IDENTITY_PATTERN, { message: 'identity must be 1-200 printable characters without "/"' })
  identity?: string;

  @IdentifierField('Only decisions for this engine', true)
  engine?: string;

  @ApiPropertyOptional({ description: 'Only decisions judged by this stored policy', example: 'default' })
  @IsOptional()
  @Matches(POLICY_NAME_PATTERN, { message: 'policy must match [a-z0-9][a-z0-9._-]{0,63}' })
  policy?: string;

  @ApiPropertyOptional({ description: 'Only decisions whose reason_codes include this code', example: 'destructive_tool_blocked' })
  @IsOptional()
  @Matches(/^[a-z0-9_.:-]{1,100}$/, { message: 'reason_code must be 1-100 of [a-z0-9_.:-]' })
  reason_code?: string;
}

export class GateDecisionIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

/** One stored gate decision, as recorded: the answer to "why was this blocked?". */
export class GateDecisionDto {
  @ApiProperty({ format: 'uuid', description: 'The decision_id the evaluation answered' }) id: string;
  @ApiProperty({ enum: VERDICTS }) verdict: Verdict;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: [GateTraceStepDto], description: 'Every step the gate took, as the evaluation answered it' }) trace: GateTraceStepDto[];
  @ApiProperty({ example: 'default' }) policy: string;
  @ApiProperty({ type: String, nullable: true }) policy_digest: string | null;
  @ApiProperty({ type: String, nullable: true }) intent_digest: string | null;
  @ApiProperty({ enum: ROLLOUT_MODES, nullable: true, type: String }) mode: RolloutMode | null;
  @ApiProperty() would_have_blocked: boolean;
  @ApiProperty({ type: String, nullable: true }) identity: string | null;
  @ApiProperty({ type: String, nullable: true }) engine: string | null;
  @ApiProperty({ description: 'The token (principal name) that asked' }) principal: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) approval_id: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['requested', 'consumed', 'refused'] }) approval_use: 'requested' | 'consumed' | 'refused' | null;
  @ApiProperty() simulate: boolean;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static from(r: StoredDecisionRow): GateDecisionDto {
    return Object.assign(new GateDecisionDto(), {
      id: r.id,
      verdict: r.verdict,
      reason_codes: r.reason_codes,
      trace: r.trace as GateTraceStepDto[],
      policy: r.policy_name,
      policy_digest: r.policy_digest,
      intent_digest: r.intent_digest,
      mode: r.mode,
      would_have_blocked: r.would_have_blocked,
      identity: r.identity,
      engine: r.engine,
      principal: r.principal,
      approval_id: r.approval_id,
      approval_use: r.approval_use,
      simulate: r.simulate,
      created_at: new Date(r.created_at).toISOString(),
    });
  }
}

export class GateDecisionPageDto {
  @ApiProperty({ type: [GateDecisionDto] }) items: GateDecisionDto[];
  @NextCursorProperty() next_cursor: string | null;
}
