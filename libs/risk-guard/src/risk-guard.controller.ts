import { Body, Controller, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal, RequireRole } from '#platform';
import { AdjustRequestDto } from './dto/adjust.dto.js';
import { RiskEventsQueryDto } from './dto/events.dto.js';
import { PolicyUpsertRequestDto, RiskPolicyResponseDto } from './dto/policy.dto.js';
import { ReservationResponseDto, ReserveRequestDto } from './dto/reserve.dto.js';
import { CloseResponseDto, SettleRequestDto, VoidRequestDto } from './dto/settle.dto.js';
import { RiskAdjustService } from './risk-adjust.service.js';
import { RiskGuardService } from './risk-guard.service.js';

@ApiTags('risk')
@ApiBearerAuth()
@Controller('api/governance/risk')
export class RiskGuardController {
  constructor(
    private readonly risk: RiskGuardService,
    private readonly adjustments: RiskAdjustService,
  ) {}

  @Get('policies')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Risk policy per engine (GLOBAL first)' })
  @ApiResponse({ status: 200, type: [RiskPolicyResponseDto] })
  policies() {
    return this.risk.listPolicies();
  }

  @Post('policies/upsert')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Create or change an engine policy (audited)' })
  @ApiResponse({ status: 200, type: RiskPolicyResponseDto })
  upsert(@CurrentPrincipal() p: Principal, @Body() body: PolicyUpsertRequestDto) {
    return this.risk.upsertPolicy(p, body);
  }

  @Get('ledger/today')
  @RequireRole('viewer')
  @ApiOperation({ summary: "Today's usage, caps, headroom and denials per engine, and the reservations still open" })
  ledgerToday() {
    return this.risk.ledgerToday();
  }

  @Post('check-and-reserve')
  @RequireRole('engine')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Alternative to correlation_id in the body' })
  @ApiOperation({ summary: 'Reserve risk against the GLOBAL and engine caps at once (201), or 403 risk_denied with every reason code' })
  @ApiResponse({ status: 201, type: ReservationResponseDto })
  @ApiResponse({ status: 200, description: 'dry_run: what would happen, nothing reserved' })
  @ApiResponse({ status: 403, description: 'risk_denied, reason_codes and details (caps, usage, headroom)' })
  @ApiResponse({ status: 409, description: 'idempotency_conflict: the key was used with another body' })
  async reserve(
    @CurrentPrincipal() p: Principal,
    @Body() body: ReserveRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const answer = await this.risk.checkAndReserve(p, {
      engine: body.engine,
      amount: body.amount,
      correlationId: body.correlation_id,
      idempotencyKey,
      reason: body.reason,
      dryRun: body.dry_run,
    });
    if ('dry_run' in answer) void reply.status(200);
    return answer;
  }

  @Post('settle')
  @HttpCode(200)
  @RequireRole('engine')
  @ApiOperation({
    summary: "Settle a reservation: release its open risk and book its realized loss (at most amount x max_loss_multiple) on the reservation's own day",
  })
  @ApiResponse({ status: 200, type: CloseResponseDto })
  @ApiResponse({ status: 422, description: 'loss_exceeds_reservation: nothing changed, the attempt is recorded; an operator books the rest with /risk/adjust' })
  settle(@CurrentPrincipal() p: Principal, @Body() body: SettleRequestDto) {
    return this.risk.settle({
      principal: p,
      reservationId: body.reservation_id,
      correlationId: body.correlation_id,
      engine: body.engine,
      realizedLoss: body.realized_loss,
      reason: body.reason,
    });
  }

  @Post('void')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Release an expired or abandoned reservation without a loss (its exposure stays counted)' })
  @ApiResponse({ status: 200, type: CloseResponseDto })
  void(@CurrentPrincipal() p: Principal, @Body() body: VoidRequestDto) {
    return this.risk.voidReservation(p, { reservationId: body.reservation_id, correlationId: body.correlation_id, engine: body.engine, reason: body.reason });
  }

  @Post('adjust')
  @RequireRole('operator')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Alternative to correlation_id in the body' })
  @ApiOperation({ summary: "Book a compensating entry on a day's realized loss (engine and GLOBAL rows), append-only and audited" })
  @ApiResponse({ status: 201, description: 'The entry and the adjusted day rows (a replay: 201 with idempotent_replay)' })
  @ApiResponse({ status: 422, description: 'loss_below_zero: the day\'s realized loss would go below 0; nothing changed' })
  adjust(@CurrentPrincipal() p: Principal, @Body() body: AdjustRequestDto, @Headers('idempotency-key') idempotencyKey: string | undefined) {
    return this.adjustments.adjust(p, {
      engine: body.engine,
      day: body.day,
      realizedLossDelta: body.realized_loss_delta,
      reason: body.reason,
      correlationId: body.correlation_id,
      idempotencyKey,
      actor: body.actor,
    });
  }

  @Get('events')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Risk decisions, newest first; filter by engine, day, outcome, kind; page with ?before=<next_cursor>' })
  events(@Query() q: RiskEventsQueryDto) {
    return this.risk.events({ ...q, limit: q.limit ?? 100 });
  }
}
