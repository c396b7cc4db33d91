import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsUUID, Matches } from 'class-validator';
import { AmountField, BooleanField, CorrelationIdField, IdentifierField } from '#platform';
import { ROLLOUT_MODES, type RolloutMode } from '../decide/combine.js';
import { VERDICTS, type Verdict } from '../decide/strings.js';
import { GaitIntentDto } from './intent.dto.js';
import { POLICY_NAME_PATTERN } from './policy.dto.js';

const EXAMPLE_INTENT = {
  tool_name: 'tool.read',
  args: { path: '/srv/app/README.md' },
  targets: [{ kind: 'path', value: '/srv/app/README.md', operation: 'read' }],
  context: { identity: 'agent-alice', workspace: '/srv/app', risk_class: 'low' },
};

export class EvaluateRequestDto {
  // Typed for clients (GaitIntentDto); validated by the gate's parser, which keeps gait's tolerance.
  @ApiProperty({ description: 'A gait.gate.intent_request document', example: EXAMPLE_INTENT, type: GaitIntentDto })
  @IsObject()
  intent: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'The stored policy to judge by (default: `default`)', example: 'default' })
  @IsOptional()
  @Matches(POLICY_NAME_PATTERN, { message: 'policy must match [a-z0-9][a-z0-9._-]{0,63}' })
  policy?: string;

  @BooleanField('Evaluate without enforcing: always 200, with simulated_verdict and would_have_blocked')
  simulate?: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'An approved gate_intent approval for this very intent: allows it once' })
  @IsOptional()
  @IsUUID()
  approval_id?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    maxItems: 8,
    description:
      'gait approval tokens (gait.gate.approval_token, as `warden approve` or `gait approve` write them), signed by keys registered at /gate/approval-keys: enough valid ones release a require_approval once, in gait\'s order and codes. Only for intents that reserve nothing and name no engine, amount, domain or recommendation (a token signs only the intent and policy digests)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(8)
  @IsObject({ each: true })
  approval_tokens?: Record<string, unknown>[];

  @IdentifierField('Engine the intent acts for (risk guard and tripwire steps)', true)
  engine?: string;

  @AmountField('Risk the intent would take (with engine)', { optional: true })
  amount?: string;

  @BooleanField('Reserve the amount for real when the gate allows (needs engine, amount, correlation_id)')
  reserve?: boolean;

  @CorrelationIdField('Idempotency key of the reservation (required with reserve)')
  correlation_id?: string;

  @IdentifierField('Heimdall domain (checked against a bound token)', true)
  domain?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A Heimdall recommendation to check for production eligibility' })
  @IsOptional()
  @IsUUID()
  recommendation_id?: string;
}

export class GateTraceStepDto {
  @ApiProperty({ example: 'policy' }) step: string;
  @ApiProperty({ enum: VERDICTS }) verdict: Verdict;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiPropertyOptional({ type: Object }) details?: Record<string, unknown>;
}

/** What the gate answered. Field names as gait's where they overlap. */
export class GateVerdictResponseDto {
  @ApiProperty({ format: 'uuid' }) decision_id: string;
  @ApiProperty({ enum: VERDICTS }) verdict: Verdict;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: [String] }) violations: string[];
  @ApiProperty({ type: String, nullable: true }) matched_rule: string | null;
  @ApiProperty() required_approvals: number;
  @ApiProperty() require_distinct_approvers: boolean;
  @ApiProperty({ example: 'default' }) policy: string;
  @ApiProperty({ type: String, nullable: true }) policy_digest: string | null;
  @ApiProperty({ type: String, nullable: true }) intent_digest: string | null;
  @ApiProperty({ description: "gait's trace id: sha256(policy_digest:intent_digest:verdict), first 24 hex" }) trace_id: string;
  @ApiProperty({ enum: ROLLOUT_MODES, nullable: true, type: String }) mode: RolloutMode | null;
  @ApiProperty({ type: [GateTraceStepDto] }) trace: GateTraceStepDto[];
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The approval request filed (202) or consumed' }) approval_id: string | null;
  @ApiProperty({ description: 'The verdict an enforcing, non-simulated gate would have given was block or require_approval' }) would_have_blocked: boolean;
  @ApiPropertyOptional({ type: Boolean }) simulate_mode?: boolean;
  @ApiPropertyOptional({ enum: VERDICTS }) simulated_verdict?: Verdict;
  @ApiPropertyOptional({ type: [String] }) simulated_reason_codes?: string[];
  @ApiProperty({ type: String, nullable: true }) reservation_id: string | null;
  @ApiProperty({ type: Number, nullable: true }) trust_score: number | null;

  static from(v: Omit<GateVerdictResponseDto, never>): GateVerdictResponseDto {
    return Object.assign(new GateVerdictResponseDto(), v);
  }
}

/** The 403 of a block: the one error body (`gate_blocked`, reason codes, details.trace) plus the verdict fields. */
export class GateBlockedResponseDto extends GateVerdictResponseDto {
  @ApiProperty({ example: 403 }) statusCode: number;
  @ApiProperty({ example: 'gate_blocked' }) error: string;
  @ApiProperty() message: string;
  @ApiProperty({ type: Object, description: '{trace}' }) details: { trace: GateTraceStepDto[] };
}

/** The controller's one service answer: the status and the body. */
export interface GateAnswer {
  status: 200 | 202 | 403;
  body: GateVerdictResponseDto | GateBlockedResponseDto;
}
