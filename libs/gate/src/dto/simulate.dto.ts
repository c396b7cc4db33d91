import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IntegerField } from '#platform';
import { REPLAY_DEFAULT, REPLAY_MAX, type ReplayedDecision, type ReplayReport } from '../decide/policy-replay.js';
import { POLICY_LIMITS } from '../decide/policy-yaml.js';
import type { RolloutMode } from '../decide/combine.js';

/** `POST /gate/policies/{name}/simulate`: the candidate (a stored version or YAML text) and how many recent decisions to replay. */
export class SimulatePolicyDto {
  @ApiPropertyOptional({ description: 'A stored version of this policy (its digest). Exactly one of digest and yaml.', example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'digest must be 64 lower-case hex digits' })
  digest?: string;

  @ApiPropertyOptional({ description: 'A policy YAML text not stored yet. Exactly one of digest and yaml.' })
  @IsOptional()
  @IsString()
  @MaxLength(POLICY_LIMITS.max_bytes)
  yaml?: string;

  @IntegerField(`How many of the newest decisions of this policy to replay (default ${REPLAY_DEFAULT})`, { min: 1, max: REPLAY_MAX, optional: true, example: REPLAY_DEFAULT })
  limit?: number;
}

export interface VerdictCountsDto {
  allow: number;
  dry_run: number;
  require_approval: number;
  block: number;
}

export class VerdictTransitionDto {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty() count: number;
}

export class ReplayedDecisionDto {
  @ApiProperty({ format: 'uuid' }) decision_id: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String }) identity: string | null;
  @ApiProperty() tool_name: string;
  @ApiProperty({ description: 'The final verdict recorded then (all levers, the mode)' }) recorded_verdict: string;
  @ApiProperty({ description: 'The active version’s policy verdict for this intent, now' }) active_verdict: string;
  @ApiProperty({ type: [String] }) active_reason_codes: string[];
  @ApiProperty({ description: 'The candidate’s policy verdict for this intent' }) candidate_verdict: string;
  @ApiProperty({ type: [String] }) candidate_reason_codes: string[];
  @ApiProperty({ nullable: true, type: String }) candidate_matched_rule: string | null;
}

export class SimulatePolicyResponseDto {
  @ApiProperty() policy: string;
  @ApiProperty({ nullable: true, type: String, description: 'The active version (null: none is active, so everything was blocked no_active_policy)' }) active_digest: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The rollout mode the candidate would run under once active' }) mode: RolloutMode | null;
  @ApiProperty() candidate_digest: string;
  @ApiProperty({ description: 'true when the candidate is a stored version of this policy' }) candidate_stored: boolean;
  @ApiProperty() limit: number;
  @ApiProperty({ description: 'Decisions replayed' }) evaluated: number;
  @ApiProperty({ description: 'Stored intents that could not be replayed' }) skipped: number;
  @ApiProperty() changed: number;
  @ApiProperty({ type: [VerdictTransitionDto] }) transitions: VerdictTransitionDto[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: '{active, candidate}: the policy verdicts counted per verdict (allow, dry_run, require_approval, block)' })
  by_verdict: { active: VerdictCountsDto; candidate: VerdictCountsDto };
  @ApiProperty({ type: [ReplayedDecisionDto], description: 'The decisions whose policy verdict would change, newest first' }) changes: ReplayedDecisionDto[];

  static from(o: { policy: string; activeDigest: string | null; mode: RolloutMode | null; candidateDigest: string; candidateStored: boolean; limit: number; report: ReplayReport }): SimulatePolicyResponseDto {
    const change = (c: ReplayedDecision): ReplayedDecisionDto => Object.assign(new ReplayedDecisionDto(), c);
    return Object.assign(new SimulatePolicyResponseDto(), {
      policy: o.policy,
      active_digest: o.activeDigest,
      mode: o.mode,
      candidate_digest: o.candidateDigest,
      candidate_stored: o.candidateStored,
      limit: o.limit,
      evaluated: o.report.evaluated,
      skipped: o.report.skipped,
      changed: o.report.changed,
      transitions: o.report.transitions,
      by_verdict: o.report.by_verdict,
      changes: o.report.changes.map(change),
    });
  }
}
