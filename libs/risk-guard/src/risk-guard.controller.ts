import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApprovalCreatedResponseDto, ChangeRequestCreatedResponseDto } from '#approvals';
import { ApiErrors, CurrentPrincipal, type Principal, RequireRole } from '#platform';
import { AdjustRequestDto, AdjustResponseDto } from './dto/adjust.dto.js';
import { RiskEventDto, RiskEventIdParams, RiskEventsPageDto, RiskEventsQueryDto } from './dto/events.dto.js';
import { LedgerTodayResponseDto } from './dto/ledger.dto.js';
import { PolicyUpsertRequestDto, RiskPolicyResponseDto } from './dto/policy.dto.js';
import { DryRunResponseDto, ReservationResponseDto, ReserveRequestDto } from './dto/reserve.dto.js';
import { CloseResponseDto, SettleRequestDto, VoidRequestDto } from './dto/settle.dto.js';
import { RiskAdjustService } from './risk-adjust.service.js';
import { RiskCloseService } from './risk-close.service.js';
import { RiskErrors } from './risk-guard.errors.js';
import { RiskLedgerService } from './risk-ledger.service.js';
import { RiskPolicyService } from './risk-policy.service.js';
import { RiskReserveService } from './risk-reserve.service.js';

const CLOSE_ERRORS = RiskErrors.pick(
  'validation_failed',
  'engine_required',
  'engine_not_bound',
  'reservation_not_found',
  'reservation_not_open',
  'idempotency_conflict',
  'governance_unavailable',
);

@ApiTags('risk')
@ApiExtraModels(DryRunResponseDto, ChangeRequestCreatedResponseDto, ApprovalCreatedResponseDto)
@Controller('api/governance/risk')
export class RiskGuardController {
  constructor(
    private readonly reserves: RiskReserveService,
    private readonly closes: RiskCloseService,
    private readonly policies: RiskPolicyService,
    private readonly ledger: RiskLedgerService,
    private readonly adjustments: RiskAdjustService,
  ) {}

  @Get('policies')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Risk policy per engine (GLOBAL first)' })
  @ApiOkResponse({ type: [RiskPolicyResponseDto] })
  policiesList(): Promise<RiskPolicyResponseDto[]> {
    return this.policies.listPolicies();
  }

  @Post('policies/upsert')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Create or change an engine policy (audited risk.policy.create|update)' })
  @ApiOkResponse({ type: RiskPolicyResponseDto })
  @ApiAcceptedResponse({
    schema: { anyOf: [{ $ref: getSchemaPath(ChangeRequestCreatedResponseDto) }, { $ref: getSchemaPath(ApprovalCreatedResponseDto) }] },
    description:
      'WARDEN_CHANGE_REQUESTS holds risk.policy: a change request (with change_request), applied when another person approves it. ' +
      'Two-person rule (WARDEN_TWO_PERSON lists engine_reenable): enabling an engine the tripwire throttled waits for a second operator (no change_request)',
  })
  @ApiErrors({ ...RiskErrors.pick('validation_failed', 'policy_incomplete'), control_version_conflict: 409 })
  async upsert(
    @CurrentPrincipal() p: Principal,
    @Body() body: PolicyUpsertRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RiskPolicyResponseDto | ApprovalCreatedResponseDto> {
    const outcome = await this.policies.upsert(p, body);
    reply.code(outcome.status);
    return outcome.body;
  }

  @Get('ledger/today')
  @RequireRole('viewer')
  @ApiOperation({ summary: "Today's usage, caps, headroom and denials per engine, and the reservations still open" })
  @ApiOkResponse({ type: LedgerTodayResponseDto })
  ledgerToday(): Promise<LedgerTodayResponseDto> {
    return this.ledger.ledgerToday();
  }

  @Post('check-and-reserve')
  @RequireRole('engine')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Alternative to correlation_id in the body' })
  @ApiOperation({ summary: 'Reserve risk against the GLOBAL and engine caps at once (201), or 403 risk_denied with every reason code' })
  @ApiCreatedResponse({ type: ReservationResponseDto })
  @ApiOkResponse({ description: 'dry_run: what would happen, nothing reserved', schema: { $ref: getSchemaPath(DryRunResponseDto) } })
  @ApiErrors(
    RiskErrors.pick('validation_failed', 'invalid_engine', 'correlation_id_required', 'risk_denied', 'engine_not_bound', 'idempotency_conflict', 'governance_unavailable'),
  )
  async reserve(
    @CurrentPrincipal() p: Principal,
    @Body() body: ReserveRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReservationResponseDto | DryRunResponseDto> {
    // A dry run answers 200 (nothing created): the status follows the answer, not a branch here.
    const answer = await this.reserves.checkAndReserve(p, {
      engine: body.engine,
      amount: body.amount,
      correlationId: body.correlation_id,
      idempotencyKey,
      reason: body.reason,
      dryRun: body.dry_run,
    });
    void reply.status(answer.dry_run ? 200 : 201);
    return answer;
  }

  @Post('settle')
  @HttpCode(200)
  @RequireRole('engine')
  @ApiOperation({
    summary: "Settle a reservation: release its open risk and book its realized loss (at most amount x max_loss_multiple) on the reservation's own day",
  })
  @ApiOkResponse({ type: CloseResponseDto })
  @ApiErrors({ ...CLOSE_ERRORS, ...RiskErrors.pick('loss_exceeds_reservation') })
  settle(@CurrentPrincipal() p: Principal, @Body() body: SettleRequestDto): Promise<CloseResponseDto> {
    return this.closes.settle({
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
  @ApiOkResponse({ type: CloseResponseDto })
  @ApiErrors(CLOSE_ERRORS)
  void(@CurrentPrincipal() p: Principal, @Body() body: VoidRequestDto): Promise<CloseResponseDto> {
    return this.closes.voidReservation(p, { reservationId: body.reservation_id, correlationId: body.correlation_id, engine: body.engine, reason: body.reason });
  }

  @Post('adjust')
  @RequireRole('operator')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Alternative to correlation_id in the body' })
  @ApiOperation({ summary: "Book a compensating entry on a day's realized loss (engine and GLOBAL rows), append-only and audited" })
  @ApiCreatedResponse({ type: AdjustResponseDto, description: 'The entry and the adjusted day rows (a replay: 201 with idempotent_replay)' })
  @ApiErrors(RiskErrors.pick('validation_failed', 'correlation_id_required', 'policy_not_found', 'idempotency_conflict', 'loss_below_zero'))
  adjust(@CurrentPrincipal() p: Principal, @Body() body: AdjustRequestDto, @Headers('idempotency-key') idempotencyKey: string | undefined): Promise<AdjustResponseDto> {
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
  @ApiOperation({ summary: 'Risk decisions, newest first; filter by engine, day, outcome (denied: the denials), kind, correlation_id, since/until; page with ?before=<next_cursor>' })
  @ApiOkResponse({ type: RiskEventsPageDto })
  @ApiErrors(RiskErrors.pick('validation_failed'))
  events(@Query() q: RiskEventsQueryDto): Promise<RiskEventsPageDto> {
    return this.ledger.listEvents(q);
  }

  @Get('events/:id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One risk decision: its reason codes and, for a denial, every scope with its caps, usage and headroom (details)' })
  @ApiOkResponse({ type: RiskEventDto })
  @ApiErrors(RiskErrors.pick('validation_failed', 'risk_event_not_found'))
  event(@Param() params: RiskEventIdParams): Promise<RiskEventDto> {
    return this.ledger.event(params.id);
  }
}
