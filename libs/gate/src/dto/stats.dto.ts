import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDate, IsOptional } from 'class-validator';
import { Transform } from 'class-transformer';
import type { StatsRow } from '../gate.repository.js';

const instant = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)) ? new Date(value) : value;

export class StatsQueryDto {
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Only decisions at or after this instant' })
  @IsOptional()
  @Transform(instant)
  @IsDate({ message: 'since must be an ISO 8601 instant with a zone' })
  since?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Only decisions before this instant' })
  @IsOptional()
  @Transform(instant)
  @IsDate({ message: 'until must be an ISO 8601 instant with a zone' })
  until?: Date;
}

export class GateStatsResponseDto {
  @ApiProperty({ description: 'Enforced (non-simulated) evaluations' }) processed: number;
  @ApiProperty() allowed: number;
  @ApiProperty() dry_run: number;
  @ApiProperty() blocked: number;
  @ApiProperty({ description: 'Evaluations answered 202 (an approval request filed)' }) require_approval: number;
  @ApiProperty({ description: 'Filed approval requests not yet used by a re-submission' }) pending_approvals: number;
  @ApiProperty({ description: 'Approval requests used by a re-submission' }) approvals_used: number;
  @ApiProperty({ type: Number, nullable: true, description: 'approvals_used / require_approval; null when none were filed' }) approval_rate: number | null;
  @ApiProperty({ description: 'Evaluations in observe mode whose enforced verdict would have been block or require_approval' }) would_have_blocked_observe: number;
  @ApiProperty({ description: 'simulate: true evaluations (not in processed)' }) simulated: number;
  @ApiProperty({ type: String, nullable: true }) since: string | null;
  @ApiProperty({ type: String, nullable: true }) until: string | null;

  static from(r: StatsRow | undefined, since: Date | null, until: Date | null): GateStatsResponseDto {
    const n = (v: string | undefined) => Number(v ?? 0);
    const filed = n(r?.require_approval);
    return Object.assign(new GateStatsResponseDto(), {
      processed: n(r?.processed),
      allowed: n(r?.allowed),
      dry_run: n(r?.dry_run),
      blocked: n(r?.blocked),
      require_approval: filed,
      pending_approvals: n(r?.approvals_pending),
      approvals_used: n(r?.approvals_used),
      approval_rate: filed === 0 ? null : n(r?.approvals_used) / filed,
      would_have_blocked_observe: n(r?.would_have_blocked_observe),
      simulated: n(r?.simulated),
      since: since?.toISOString() ?? null,
      until: until?.toISOString() ?? null,
    });
  }
}
