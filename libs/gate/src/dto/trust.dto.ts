import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, ValidateIf } from 'class-validator';
import { IDENTITY_PATTERN, RatioField, TextField } from '#platform';
import type { TrustPrior } from '../decide/trust.js';
import type { OutcomeRow, OverrideRow } from '../gate.repository.js';

/** An identity as intents carry it in context.identity (the platform's IDENTITY_PATTERN, shared with token bindings). */
export class IdentityParams {
  @ApiProperty({ example: 'agent-alice' })
  @IsString()
  @Matches(IDENTITY_PATTERN, { message: 'identity must be 1-200 printable characters without "/"' })
  identity: string;
}

export const OUTCOMES = ['allowed', 'violation'] as const;

export class ReportOutcomeDto {
  @ApiProperty({ enum: OUTCOMES, description: 'allowed: an allowed action turned out fine; violation: it did not (engines may report only violations)' })
  @IsIn(OUTCOMES)
  outcome: (typeof OUTCOMES)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'The gate decision that allowed the action' })
  @IsOptional()
  @IsUUID()
  gate_decision_id?: string;

  @TextField('What happened')
  reason: string;
}

export class SetTrustDto {
  @RatioField('Score in [0, 1] that replaces the estimate; null clears the override', { example: 0.3 })
  @ValidateIf((_o: object, v: unknown) => v !== null)
  score: string | null;

  @TextField('Why')
  reason: string;
}

export class TrustOutcomeDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: OUTCOMES }) outcome: string;
  @ApiProperty({ type: String, nullable: true }) gate_decision_id: string | null;
  @ApiProperty() reason: string;
  @ApiProperty() reported_by: string;
  @ApiProperty({ format: 'date-time' }) at: string;

  static from(r: OutcomeRow): TrustOutcomeDto {
    return Object.assign(new TrustOutcomeDto(), { id: r.id, outcome: r.outcome, gate_decision_id: r.gate_decision_id, reason: r.reason, reported_by: r.reported_by, at: new Date(r.at).toISOString() });
  }
}

export class TrustOverrideDto {
  @ApiProperty() score: number;
  @ApiProperty() reason: string;
  @ApiProperty() set_by: string;
  @ApiProperty({ format: 'date-time' }) at: string;

  static from(r: OverrideRow): TrustOverrideDto {
    return Object.assign(new TrustOverrideDto(), { score: Number(r.score), reason: r.reason, set_by: r.set_by, at: new Date(r.at).toISOString() });
  }
}

export class TrustPriorDto {
  @ApiProperty({ example: 0.8 }) mean: number;
  @ApiProperty({ example: 10, description: 'pseudo-observations' }) strength: number;
}

export class TrustResponseDto {
  @ApiProperty() identity: string;
  @ApiProperty({ description: 'The score the gate uses: the override while set, else the estimate' }) score: number;
  @ApiProperty({ description: 'Beta-Bernoulli posterior mean from the outcomes: (mean·k + allowed) / (k + allowed + violations)' }) estimate: number;
  @ApiProperty({ enum: ['override', 'evidence'] }) source: 'override' | 'evidence';
  @ApiProperty({ type: TrustPriorDto }) prior: TrustPrior;
  @ApiProperty() allowed: number;
  @ApiProperty() violations: number;
  @ApiProperty({ type: TrustOverrideDto, nullable: true }) override: TrustOverrideDto | null;
  @ApiProperty({ type: [TrustOutcomeDto], description: 'The latest outcomes, newest first' }) evidence: TrustOutcomeDto[];

  static from(v: Omit<TrustResponseDto, never>): TrustResponseDto {
    return Object.assign(new TrustResponseDto(), v);
  }
}
