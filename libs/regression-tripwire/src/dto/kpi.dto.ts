import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsNumber, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { IdentifierField, MetricField, WardenError } from '#platform';
import { RegressionErrorCode } from '../regression-tripwire.errors.js';
import { CORRELATION_ID, OptionalMetricField, toFiniteNumberOrKeep } from './fields.js';

export const MAX_KPI_BATCH = 1000;

class KpiFields {
  @ApiPropertyOptional({ description: 'Outcome of a success-rate KPI (exactly one of success / value)', type: Boolean })
  @IsOptional()
  @IsBoolean()
  success?: boolean;

  @ApiPropertyOptional({ description: 'Observation of a mean-value KPI: a finite number or decimal string (exactly one of success / value)', example: 1.25 })
  @IsOptional()
  @Transform(toFiniteNumberOrKeep)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: '$property must be a finite number' })
  value?: number;

  @ApiPropertyOptional({ description: 'Client key: a retry with the same key records nothing twice; the same key with a different event is 409' })
  @IsOptional()
  @IsString()
  @Matches(CORRELATION_ID, { message: 'correlation_id must be 1-128 of [A-Za-z0-9._:-]' })
  correlation_id?: string;
}

/** One event inside a batch. */
export class KpiEventDto extends KpiFields {
  @IdentifierField('Domain')
  domain: string;

  @MetricField()
  metric: string;
}

/** One event (`{domain, metric, success | value}`) or a batch (`{events: [...]}`, 1 to 1,000 events, all or nothing). */
export class RecordKpiRequestDto extends KpiFields {
  @IdentifierField('Domain (single-event form)', true)
  domain?: string;

  @OptionalMetricField()
  metric?: string;

  @ApiPropertyOptional({ type: [KpiEventDto], description: `Batch form: 1 to ${MAX_KPI_BATCH} events, recorded all or nothing` })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_KPI_BATCH)
  @ValidateNested({ each: true })
  @Type(() => KpiEventDto)
  events?: KpiEventDto[];
}

export interface KpiInput {
  domain: string;
  metric: string;
  success: boolean | null;
  value: number | null;
  correlation_id: string | null;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,100}$/;

function invalid(fields: Array<{ field: string; problems: string[] }>): WardenError {
  return WardenError.badRequest(
    RegressionErrorCode.ValidationFailed,
    `invalid ${fields.map((f) => f.field).join(', ')}: ${fields.map((f) => f.problems.join('; ')).join('; ')}`,
    { fields },
  );
}

/**
 * The one list of events a request carries, checked beyond what the decorators can say: single
 * form or batch form (not both), exactly one of success / value per event. Without a
 * correlation_id, an `Idempotency-Key` header keys the event (single) or each event as `key:index` (batch).
 */
export function normalizeKpiRequest(body: RecordKpiRequestDto, idempotencyKey?: string): KpiInput[] {
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw invalid([{ field: 'Idempotency-Key', problems: ['must be 1-100 of [A-Za-z0-9._:-]'] }]);
  }
  const single = [body.domain, body.metric, body.success, body.value, body.correlation_id].some((v) => v !== undefined && v !== null);
  let raw: Array<KpiFields & { domain?: string; metric?: string }>;
  let prefix: (i: number) => string;
  if (body.events !== undefined && body.events !== null) {
    if (single) throw invalid([{ field: 'events', problems: ['send either one event or {events: [...]}, not both'] }]);
    raw = body.events;
    prefix = (i) => `events.${i}.`;
  } else {
    const missing = (['domain', 'metric'] as const).filter((f) => body[f] === undefined || body[f] === null);
    if (missing.length) throw invalid(missing.map((field) => ({ field, problems: [`${field} is required`] })));
    raw = [body];
    prefix = () => '';
  }
  const problems: Array<{ field: string; problems: string[] }> = [];
  const events = raw.map((e, i): KpiInput => {
    const hasSuccess = e.success !== undefined && e.success !== null;
    const hasValue = e.value !== undefined && e.value !== null;
    if (hasSuccess === hasValue) {
      problems.push({ field: `${prefix(i)}success|value`, problems: [hasSuccess ? 'give success or value, not both' : 'one of success or value is required'] });
    }
    const key = e.correlation_id ?? (idempotencyKey === undefined ? null : body.events ? `${idempotencyKey}:${i}` : idempotencyKey);
    return { domain: e.domain!, metric: e.metric!, success: hasSuccess ? e.success! : null, value: hasValue ? e.value! : null, correlation_id: key };
  });
  if (problems.length) throw invalid(problems);
  return events;
}

export class RecordedKpiDto {
  @ApiProperty() id: string;
  @ApiProperty() domain: string;
  @ApiProperty() metric: string;
  @ApiProperty({ nullable: true, type: Boolean }) success: boolean | null;
  @ApiProperty({ nullable: true, type: Number }) value: number | null;
  @ApiProperty({ nullable: true, type: String }) correlation_id: string | null;
  @ApiProperty({ description: 'true when this correlation_id was already recorded (nothing recorded again)' }) duplicate: boolean;
}

export class RecordKpiResponseDto {
  @ApiProperty({ description: 'Events newly recorded' }) recorded: number;
  @ApiProperty({ description: 'Events whose correlation_id was already recorded with the same content' }) duplicates: number;
  @ApiProperty({ type: [RecordedKpiDto] }) events: RecordedKpiDto[];
}
