import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsNumber, IsOptional, ValidateNested } from 'class-validator';
import { CorrelationIdField, IdentifierField, idempotencyKey, MetricField } from '#platform';
import type { KpiInput } from '../decide/kpi-batch.js';
import { RegressionErrors } from '../regression-tripwire.errors.js';
import { OptionalMetricField, toFiniteNumberOrKeep } from './fields.js';

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

  @CorrelationIdField('Client key: a retry with the same key records nothing twice; the same key with a different event is 409')
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

function invalid(fields: Array<{ field: string; problems: string[] }>) {
  return RegressionErrors.raise('validation_failed', `invalid ${fields.map((f) => f.field).join(', ')}: ${fields.map((f) => f.problems.join('; ')).join('; ')}`, {
    details: { fields },
  });
}

/**
 * The one list of events a request carries, checked beyond what the decorators can say: single
 * form or batch form (not both), exactly one of success / value per event. Without a
 * correlation_id, an `Idempotency-Key` header (the platform's one key rule) keys the event (single)
 * or each event as `key:index` (batch).
 */
export function normalizeKpiRequest(body: RecordKpiRequestDto, idempotencyKeyHeader?: string): KpiInput[] {
  const headerKey = idempotencyKey(undefined, idempotencyKeyHeader);
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
    const key = e.correlation_id ?? (headerKey === null ? null : body.events ? `${headerKey}:${i}` : headerKey);
    return { domain: e.domain!, metric: e.metric!, success: hasSuccess ? e.success! : null, value: hasValue ? e.value! : null, correlation_id: key };
  });
  if (problems.length) throw invalid(problems);
  return events;
}

/** A batch mixing success and value events for one stream: a request that contradicts itself. */
export function kindsMixed(index: number, stream: string) {
  return invalid([{ field: `events.${index}.success|value`, problems: [`${stream} mixes success and value events in one batch`] }]);
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

  /** `ids[i]` is the id event i of the request got (its original one when it is a duplicate). */
  static from(events: readonly KpiInput[], ids: ReadonlyArray<{ id: string; duplicate: boolean }>, recorded: number): RecordKpiResponseDto {
    return {
      recorded,
      duplicates: events.length - recorded,
      events: events.map((e, i) => ({ id: ids[i].id, domain: e.domain, metric: e.metric, success: e.success, value: e.value, correlation_id: e.correlation_id, duplicate: ids[i].duplicate })),
    };
  }
}
