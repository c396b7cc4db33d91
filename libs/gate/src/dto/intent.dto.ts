import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The gait intent (`gait.gate.intent_request`) as OpenAPI shows it, so a generated client types
 * what it sends. Documentation only: the gate's own parser validates and normalises the intent
 * (an unknown field is kept, as gait keeps it; a bad intent is 400 invalid_intent, or a fail-closed
 * block when the policy says so), so these classes carry no validators.
 */
export class GaitIntentTargetDto {
  @ApiProperty({ example: 'path', description: 'What the target is (path, url, host, table, ...)' }) kind: string;
  @ApiProperty({ example: '/srv/app/cache.db' }) value: string;
  @ApiPropertyOptional({ example: 'delete', description: 'read, write, delete, ...' }) operation?: string;
  @ApiPropertyOptional({ example: 'internal' }) sensitivity?: string;
}

export class GaitArgProvenanceDto {
  @ApiProperty({ example: '$.path', description: 'JSONPath of the argument' }) arg_path: string;
  @ApiProperty({ example: 'user', description: 'Where it came from: user, tool_output, external, system' }) source: string;
  @ApiPropertyOptional() source_ref?: string;
  @ApiPropertyOptional() integrity_digest?: string;
}

export class GaitIntentContextDto {
  @ApiProperty({ example: 'agent-alice' }) identity: string;
  @ApiProperty({ example: '/srv/app' }) workspace: string;
  @ApiProperty({ example: 'high', description: 'low, medium, high (a policy fail_closed may cover it)' }) risk_class: string;
  @ApiPropertyOptional() session_id?: string;
  @ApiPropertyOptional() request_id?: string;
}

export class GaitIntentDto {
  @ApiPropertyOptional({ example: 'gait.gate.intent_request' }) schema_id?: string;
  @ApiPropertyOptional({ example: '1.0.0' }) schema_version?: string;
  @ApiPropertyOptional({ format: 'date-time' }) created_at?: string;
  @ApiPropertyOptional({ example: '0.0.0-example' }) producer_version?: string;
  @ApiProperty({ example: 'tool.delete' }) tool_name: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { path: '/srv/app/cache.db' } }) args: Record<string, unknown>;
  @ApiProperty({ type: [GaitIntentTargetDto] }) targets: GaitIntentTargetDto[];
  @ApiPropertyOptional({ type: [GaitArgProvenanceDto] }) arg_provenance?: GaitArgProvenanceDto[];
  @ApiProperty({ type: GaitIntentContextDto }) context: GaitIntentContextDto;
}
