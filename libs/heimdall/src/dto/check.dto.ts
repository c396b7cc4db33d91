import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { BooleanField, IDEMPOTENCY_KEY_PATTERN, IdentifierField, NextCursorProperty, PageQueryDto } from '#platform';
import { GateReason } from '../decide/gates.js';
import { type CheckKind, type HeimdallCheckRow } from '../heimdall-checks.repository.js';
import { GateCheckDto } from './gate.dto.js';

const OUTCOMES = Object.values(GateReason) as string[];
const KIND_NAMES = { 'recommendation.created': 'created', 'recommendation.checked': 'checked' } as const;
type KindName = (typeof KIND_NAMES)[CheckKind];

/** `GET /heimdall/checks`: the platform paging shape (newest first, ?before=, [since, until)) and the checks' own filters. */
export class HeimdallChecksQueryDto extends PageQueryDto {
  @IdentifierField('Only this domain', true)
  domain?: string;

  @ApiPropertyOptional({ enum: OUTCOMES, description: 'Only checks with this gate_reason (the first failing gate, or gate_pass)' })
  @IsOptional()
  @IsIn(OUTCOMES, { message: `outcome must be one of ${OUTCOMES.join(', ')}` })
  outcome?: string;

  @BooleanField('Only checks that found it production-eligible (true) or not (false)')
  prod_eligible?: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the checks of this recommendation' })
  @IsOptional()
  @IsUUID('all', { message: 'recommendation_id must be a UUID' })
  recommendation_id?: string;

  @ApiPropertyOptional({ description: "Only checks with this correlation id: the caller's key on a re-check (the gate's intent), the recommendation's key at creation" })
  @IsOptional()
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: 'correlation_id must be 1-200 of [A-Za-z0-9._:-]' })
  correlation_id?: string;

  @ApiPropertyOptional({ enum: ['created', 'checked'], description: 'created: the gating at creation; checked: a require-prod-eligible re-check (also the gate’s)' })
  @IsOptional()
  @IsIn(['created', 'checked'], { message: 'kind must be created or checked' })
  kind?: KindName;
}

export const checkKindOf = (name: KindName | undefined): CheckKind | undefined =>
  name === undefined ? undefined : (Object.keys(KIND_NAMES) as CheckKind[]).find((k) => KIND_NAMES[k] === name);

export class HeimdallCheckIdParams {
  @ApiProperty({ description: 'Check id (the `id` of a GET /heimdall/checks item)', example: '42' })
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'id must be a check id' })
  id: string;
}

export class CheckWindowDto {
  @ApiProperty() trials: number;
  @ApiProperty() successes: number;
}

/** One recorded Heimdall decision on a recommendation: every gate with its actual and required value. */
export class HeimdallCheckDto {
  @ApiProperty({ description: 'Check id (the event id; also the paging cursor)', example: '42' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: ['created', 'checked'] }) kind: KindName;
  @ApiProperty() domain: string;
  @ApiProperty({ format: 'uuid' }) recommendation_id: string;
  @ApiProperty() prod_eligible: boolean;
  @ApiProperty({ enum: OUTCOMES, description: 'The first failing gate, or gate_pass' }) gate_reason: string;
  @ApiProperty({ type: [String], description: 'Every failing gate, in gate order' }) reason_codes: string[];
  @ApiProperty({ type: [GateCheckDto], description: 'The trace: every gate, actual against required' }) gates: GateCheckDto[];
  @ApiProperty({ type: CheckWindowDto, nullable: true, description: "The sandbox window's counters it was judged on" }) window: CheckWindowDto | null;
  @ApiProperty({ type: Number, nullable: true }) confidence: number | null;
  @ApiProperty({ type: String, nullable: true }) correlation_id: string | null;
  @ApiProperty({ description: 'The token principal that asked' }) principal: string;
  @ApiProperty({ type: String, nullable: true, description: 'The free `actor` label sent with a re-check, never trusted' }) actor: string | null;

  static from(r: HeimdallCheckRow): HeimdallCheckDto {
    return Object.assign(new HeimdallCheckDto(), {
      id: r.id,
      at: new Date(r.at).toISOString(),
      kind: KIND_NAMES[r.kind],
      domain: r.domain,
      recommendation_id: r.recommendation_id,
      prod_eligible: r.prod_eligible,
      gate_reason: r.outcome,
      reason_codes: r.reason_codes ?? [],
      gates: r.gates ?? [],
      window: r.window,
      confidence: r.confidence === null ? null : Number(r.confidence),
      correlation_id: r.correlation_id,
      principal: r.principal,
      actor: r.actor,
    });
  }
}

export class HeimdallCheckPageDto {
  @ApiProperty({ type: [HeimdallCheckDto] }) items: HeimdallCheckDto[];
  @NextCursorProperty() next_cursor: string | null;
}


