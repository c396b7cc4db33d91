import { ApiProperty } from '@nestjs/swagger';
import { addDays, IdentifierField } from '#platform';
import { judgeWindow } from '../decide/scorecard.js';
import type { ClosedDayRow, ScorecardRow } from '../heimdall.repository.js';
import { GateCheckDto } from './gate.dto.js';
import { HeimdallPolicyResponseDto } from './policy.dto.js';

export class ScorecardQueryDto {
  @IdentifierField('Only this domain', true)
  domain?: string;
}

export class ScorecardDayCountsDto {
  @ApiProperty() trials: number;
  @ApiProperty() successes: number;
}

export class ScorecardDomainDto {
  @ApiProperty() domain: string;
  @ApiProperty({ description: 'First UTC day of the window' }) window_from: string;
  @ApiProperty({ description: 'Last UTC day of the window (today)' }) window_to: string;
  @ApiProperty() window_days: number;
  @ApiProperty() trials: number;
  @ApiProperty() successes: number;
  @ApiProperty({ type: Number, nullable: true, description: 'successes / trials; null with no trials' }) success_rate: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'confidence_sum / trials, from the exact sum; null with no trials' }) avg_confidence: number | null;
  @ApiProperty({ description: 'Exact sum of trial confidences (decimal string)' }) confidence_sum: string;
  @ApiProperty({ type: ScorecardDayCountsDto, description: 'Today alone' }) today: ScorecardDayCountsDto;
  @ApiProperty({ type: HeimdallPolicyResponseDto }) policy: HeimdallPolicyResponseDto;
  @ApiProperty({ description: 'Would a recommendation at the window’s average confidence reach production now?' }) prod_eligible: boolean;
  @ApiProperty() gate_reason: string;
  @ApiProperty({ type: [String] }) reason_codes: string[];
  @ApiProperty({ type: [GateCheckDto] }) gates: GateCheckDto[];
  @ApiProperty({ example: 'WHOLESALE_OFFER: not eligible (prod_use_disabled) — prod use disabled: ...; 12 more trials (63 of 75 in today’s window)' })
  summary: string;

  /** A domain's window ending on `day`, judged by the gate stack. */
  static from(r: ScorecardRow, day: string, killSwitchEngaged: boolean): ScorecardDomainDto {
    const trials = Number(r.trials);
    const successes = Number(r.successes);
    const judged = judgeWindow(r.domain, r, { trials, successes, confidenceSum: r.confidence_sum }, killSwitchEngaged);
    return Object.assign(new ScorecardDomainDto(), {
      domain: r.domain,
      window_from: addDays(day, 1 - r.window_days),
      window_to: day,
      window_days: r.window_days,
      trials,
      successes,
      success_rate: judged.success_rate,
      avg_confidence: judged.avg_confidence,
      confidence_sum: judged.confidence_sum,
      today: { trials: Number(r.today_trials), successes: Number(r.today_successes) },
      policy: HeimdallPolicyResponseDto.from(r),
      prod_eligible: judged.prod_eligible,
      gate_reason: judged.gate_reason,
      reason_codes: judged.reason_codes,
      gates: judged.gates,
      summary: judged.summary,
    });
  }
}

export class ScorecardResponseDto {
  @ApiProperty({ description: 'Today (UTC)' }) day: string;
  @ApiProperty() as_of: string;
  @ApiProperty() kill_switch_engaged: boolean;
  @ApiProperty({ type: [ScorecardDomainDto] }) domains: ScorecardDomainDto[];

  static from(day: string, asOf: Date, killSwitchEngaged: boolean, rows: ScorecardRow[]): ScorecardResponseDto {
    return Object.assign(new ScorecardResponseDto(), {
      day,
      as_of: asOf.toISOString(),
      kill_switch_engaged: killSwitchEngaged,
      domains: rows.map((r) => ScorecardDomainDto.from(r, day, killSwitchEngaged)),
    });
  }
}

/** A closed day's snapshot, as the daily job recorded it. */
export class ClosedDayDto {
  @ApiProperty({ example: '2031-03-14' }) day: string;
  @ApiProperty() domain: string;
  @ApiProperty({ description: 'The gate_reason at the close', example: 'insufficient_sandbox_trials' }) outcome: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'day_counts, window {from, to, trials, successes, confidence_sum}, success_rate, avg_confidence, policy, prod_eligible, reason_codes, gates, summary',
  })
  details: Record<string, unknown>;

  static from(r: ClosedDayRow): ClosedDayDto {
    return Object.assign(new ClosedDayDto(), { day: r.day, domain: r.domain, outcome: r.outcome, details: r.details });
  }
}
