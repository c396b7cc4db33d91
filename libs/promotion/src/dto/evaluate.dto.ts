import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Allow, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IdentifierField } from '#platform';
import type { PromotionResult } from '../decide/evaluate.js';
import { VERDICTS } from '../decide/types.js';
import { rawJsonText } from './raw-json.js';

const MAX_OVERRIDE_TEXT = 64 * 1024;

export class EvaluatePromotionRequestDto {
  @IdentifierField('The AI domain the verdict is about (recorded in the decision log)', true)
  domain?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "menace's scorecard: alignment_status, security_status, raroi, confidence, sandbox_roi, adapter_roi, scenario_scores",
    example: { alignment_status: 'pass', security_status: 'pass', raroi: 1.4, confidence: 0.9, scenario_scores: { a: 0.8, b: 0.9 } },
  })
  @IsObject()
  scorecard: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "Thresholds (menace's policy mapping); menace's defaults when absent", example: { raroi_threshold: 1.0 } })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'A rule file for this evaluation only: its YAML/JSON text, or the list of {decision, condition, reason_code}. Default: the active rule file (PUT /rules)',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }],
  })
  @Allow()
  rules?: string | unknown[];

  /**
   * Arrives as the override object; kept as its JSON text with every number spelled as written
   * (the signature covers `1.0`, which JSON.parse turns into `1`).
   */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'A signed override {data, signature} (menace\'s file). Single use: a second use of its signature is refused 409 override_replayed',
  })
  @IsOptional()
  @Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => (obj[key] === undefined || obj[key] === null ? undefined : rawJsonText(obj[key])))
  @IsString()
  @MaxLength(MAX_OVERRIDE_TEXT)
  override?: string;

  @ApiPropertyOptional({ description: 'The override file\'s text, byte for byte (instead of `override`): for clients that cannot keep number spellings', maxLength: MAX_OVERRIDE_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OVERRIDE_TEXT)
  override_json?: string;
}

export class PromotionResultDto {
  @ApiProperty({ enum: VERDICTS }) verdict: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The override's data, and mode: micro-pilot when the micro-pilot decided" }) overrides: Record<string, unknown>;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Each step of the evaluation, in order' }) trace: unknown[];
  @ApiProperty({ format: 'uuid', description: 'The decision log entry' }) decision_id: string;

  static from(r: PromotionResult, decisionId: string): PromotionResultDto {
    return Object.assign(new PromotionResultDto(), { verdict: r.verdict, reason_codes: r.reason_codes, overrides: r.overrides, trace: r.trace, decision_id: decisionId });
  }
}
