import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// Documentation of the change routes. POST /changes reads its body with parseChange (decide/), the
// same reader the offline CLI uses, so the HTTP answer and `warden change check` cannot drift.

export class ChangeDiffStatsDto {
  @ApiProperty({ description: 'Lines changed (Autopack: over 100 is never auto-approved)', example: 50 }) lines_changed: number;
  @ApiProperty({ description: 'Lines removed (over 50: tier 2; over 200: held, critical)', example: 0 }) lines_removed: number;
}

export class ProposeChangeDto {
  @ApiProperty({ example: 'r1', maxLength: 200 }) run_id: string;
  @ApiProperty({ example: 'p1', maxLength: 200 }) phase_id: string;
  @ApiProperty({ type: [String], description: 'Canonical relative paths (1-1,000, each up to 1,024 characters): no "..", no absolute path, no NUL', example: ['tests/test_a.py', 'docs/GUIDE.md'] })
  paths: string[];
  @ApiPropertyOptional({ type: ChangeDiffStatsDto, description: "Autopack's names; absent counts 0 lines, as can_auto_approve reads it" }) diff_stats?: ChangeDiffStatsDto;
  @ApiPropertyOptional({ enum: ['low', 'medium', 'high', 'critical'], description: 'Declared level; the effective one is the higher of it and the assessed one' }) risk_level?: string;
  @ApiPropertyOptional({ example: '...' }) justification?: string;
  @ApiPropertyOptional({ example: 'refactor', description: "The RiskScorer's phase spec" }) task_category?: string;
  @ApiPropertyOptional({ example: '...', description: "The RiskScorer's phase spec" }) description?: string;
  @ApiPropertyOptional({ example: 'WHOLESALE', description: "The run's engine: required for a token bound to several engines; a run keeps the engine of its first change" }) engine?: string;
}

export class ChangeRiskFactorsDto {
  @ApiProperty() scope_size: number;
  @ApiProperty() protected_paths: number;
  @ApiProperty() category: number;
  @ApiProperty() cross_cutting: number;
}

export class ChangeRiskScoreDto {
  @ApiProperty({ description: 'Weighted sum (0.3 scope, 0.4 protected, 0.2 category, 0.1 cross-cutting by default)' }) score: number;
  @ApiProperty({ enum: ['low', 'medium', 'high'] }) level: string;
  @ApiProperty({ type: ChangeRiskFactorsDto }) factors: ChangeRiskFactorsDto;
  @ApiProperty({ type: [String] }) reasons: string[];
}

export class ChangePathCheckDto {
  @ApiProperty() path: string;
  @ApiProperty({ enum: ['low', 'medium', 'high', 'critical'] }) risk_level: string;
  @ApiProperty() auto_approvable: boolean;
  @ApiProperty({ enum: ['allow_list', 'never_auto_approve', 'risk_level', 'too_many_lines', 'large_deletion', 'not_in_allow_list'] }) why: string;
  @ApiProperty({ type: String, nullable: true }) pattern: string | null;
}

export class ChangeBreakGlassInfoDto {
  @ApiProperty() by: string;
  @ApiProperty() reason: string;
  @ApiProperty() at: string;
  @ApiProperty({ format: 'uuid', description: 'The retroactive review a second operator must close' }) review_approval_id: string;
  @ApiProperty({ type: String, nullable: true, enum: ['open', 'upheld', 'disputed'] }) review_status: string | null;
  @ApiProperty({ type: String, nullable: true }) review_closed_by: string | null;
  @ApiProperty({ type: String, nullable: true }) review_closed_at: string | null;
}

export class ChangeAnswerDto {
  @ApiProperty({ format: 'uuid' }) request_id: string;
  @ApiProperty() run_id: string;
  @ApiProperty() phase_id: string;
  @ApiProperty({ type: [String] }) requested_paths: string[];
  @ApiProperty() justification: string;
  @ApiProperty({ enum: ['low', 'medium', 'high', 'critical'], description: 'Effective: the higher of the declared and the assessed level' }) risk_level: string;
  @ApiProperty({ enum: [1, 2, 3, 4], description: '1 auto-approved, 2 notify + proceed, 3 approval required, 4 always block (NEVER_AUTO_APPROVE)' }) tier: number;
  @ApiProperty() auto_approved: boolean;
  @ApiProperty({ type: Boolean, nullable: true, description: 'true approved, false denied (rejected, expired, cancelled), null pending' }) approved: boolean | null;
  @ApiProperty({ type: String, nullable: true, description: '"auto", the approvers, the denier, or the break-glass operator' }) approved_by: string | null;
  @ApiProperty({ type: ChangeRiskScoreDto }) risk_score: ChangeRiskScoreDto;
  @ApiPropertyOptional({ enum: ['protected_path_violation'], description: 'Held only' }) error_type?: string;
  @ApiPropertyOptional({ type: [String], description: 'Held only: the paths that failed can_auto_approve' }) violated_paths?: string[];
  @ApiPropertyOptional({ enum: [true], description: 'Held only' }) requires_approval?: boolean;
  @ApiPropertyOptional({ format: 'uuid', description: 'Held only: the Warden approval request (kind change)' }) approval_id?: string;
  @ApiProperty({ enum: ['approved', 'pending', 'rejected', 'expired', 'cancelled', 'break_glass'] }) status: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: String, nullable: true }) declared_risk_level: string | null;
  @ApiProperty() assessed_risk_level: string;
  @ApiProperty({ type: ChangeDiffStatsDto, nullable: true }) diff_stats: ChangeDiffStatsDto | null;
  @ApiProperty({ type: String, nullable: true }) task_category: string | null;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: String, nullable: true }) engine: string | null;
  @ApiProperty({ type: [ChangePathCheckDto] }) path_checks: ChangePathCheckDto[];
  @ApiProperty({ description: 'The change policy version that decided it' }) policy_digest: string;
  @ApiProperty() created_at: string;
  @ApiPropertyOptional({ type: String, nullable: true }) expires_at?: string | null;
  @ApiProperty({ type: String, nullable: true }) decided_at: string | null;
  @ApiProperty({ type: String, nullable: true }) decision_reason: string | null;
  @ApiProperty({ description: 'The principal whose token filed it' }) requested_by: string;
  @ApiPropertyOptional({ type: ChangeBreakGlassInfoDto }) break_glass?: ChangeBreakGlassInfoDto;
}

export class ChangePendingResponseDto {
  @ApiProperty() count: number;
  @ApiProperty({ type: [ChangeAnswerDto], description: 'Newest first' }) pending_requests: ChangeAnswerDto[];
}

export class ChangeHistoryResponseDto {
  @ApiProperty({ type: String, nullable: true }) run_id: string | null;
  @ApiProperty() count: number;
  @ApiProperty({ type: [ChangeAnswerDto], description: 'Newest first' }) requests: ChangeAnswerDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as before= for the next page' }) next_before: string | null;
}

export class ChangeDecisionResponseDto {
  @ApiProperty({ enum: ['approved', 'denied', 'pending'], description: 'pending: a critical change waits for a second distinct approver' }) status: string;
  @ApiProperty({ format: 'uuid' }) request_id: string;
  @ApiProperty() message: string;
  @ApiProperty({ format: 'uuid' }) approval_id: string;
  @ApiProperty() approvals: number;
  @ApiProperty() min_approvals: number;
}
