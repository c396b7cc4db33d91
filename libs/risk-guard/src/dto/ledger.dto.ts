import { ApiProperty } from '@nestjs/swagger';
import type { AdjustmentRow } from '../risk-adjust.repository.js';
import type { OpenReservationRow } from '../risk-ledger.rows.js';
import { RiskPolicyResponseDto } from './policy.dto.js';

/** An operator's compensating entry on a day's realized loss. */
export class RiskAdjustmentDto {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: '2025-11-21' }) day: string;
  @ApiProperty() engine: string;
  @ApiProperty({ example: '-12.5' }) realized_loss_delta: string;
  @ApiProperty() reason: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty() principal: string;

  static from(r: AdjustmentRow): RiskAdjustmentDto {
    return {
      id: r.id,
      at: new Date(r.at).toISOString(),
      day: r.day,
      engine: r.engine,
      realized_loss_delta: r.realized_loss_delta,
      reason: r.reason,
      correlation_id: r.correlation_id,
      principal: r.principal,
    };
  }
}

export class UsageDto {
  @ApiProperty() exposure_used: string;
  @ApiProperty() open_risk_reserved: string;
  @ApiProperty() realized_loss: string;
  @ApiProperty({ type: 'integer' }) actions_count: number;
}

/** cap - used; null when the cap is unlimited. */
export class HeadroomDto {
  @ApiProperty({ type: String, nullable: true }) exposure: string | null;
  @ApiProperty({ type: String, nullable: true }) open_risk: string | null;
  @ApiProperty({ type: String, nullable: true }) loss: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) actions: number | null;
}

export class CountAmountDto {
  @ApiProperty({ type: 'integer' }) count: number;
  @ApiProperty() amount: string;
}

export class AdjustmentTotalsDto {
  @ApiProperty({ type: 'integer' }) count: number;
  @ApiProperty() realized_loss_delta: string;
}

export class LedgerScopeDto {
  @ApiProperty() engine: string;
  @ApiProperty({ type: RiskPolicyResponseDto }) policy: RiskPolicyResponseDto;
  @ApiProperty({ type: UsageDto }) usage: UsageDto;
  @ApiProperty({ type: HeadroomDto }) headroom: HeadroomDto;
  @ApiProperty({ type: 'integer' }) denials_count: number;
  @ApiProperty({ type: CountAmountDto }) open_reservations: CountAmountDto;
  @ApiProperty({ type: CountAmountDto }) expired_reservations: CountAmountDto;
  @ApiProperty({ type: AdjustmentTotalsDto, description: "Operators' compensating entries on today's realized loss (included in usage.realized_loss)" })
  adjustments: AdjustmentTotalsDto;
}

export class OpenReservationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() correlation_id: string;
  @ApiProperty() engine: string;
  @ApiProperty({ example: '2025-11-21' }) day: string;
  @ApiProperty() amount: string;
  @ApiProperty({ enum: ['reserved', 'expired'] }) status: string;
  @ApiProperty({ format: 'date-time' }) reserved_at: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;

  static from(r: OpenReservationRow): OpenReservationDto {
    return {
      id: r.id,
      correlation_id: r.correlation_id,
      engine: r.engine,
      day: r.day,
      amount: r.amount,
      status: r.status,
      reserved_at: new Date(r.reserved_at).toISOString(),
      expires_at: new Date(r.expires_at).toISOString(),
    };
  }
}

export class LedgerTodayResponseDto {
  @ApiProperty({ example: '2025-11-21' }) day: string;
  @ApiProperty({ type: [LedgerScopeDto] }) engines: LedgerScopeDto[];
  @ApiProperty({ type: [OpenReservationDto], description: 'Reservations still holding open risk (reserved or expired, any day), oldest first, at most 200' })
  open_reservations: OpenReservationDto[];
  @ApiProperty({ type: [RiskAdjustmentDto], description: "Today's adjustments, oldest first, at most 200" }) adjustments: RiskAdjustmentDto[];
}
