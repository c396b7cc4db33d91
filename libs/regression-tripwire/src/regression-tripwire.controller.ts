import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ChangeRequestCreatedResponseDto } from '#approvals';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, type Principal, RequireRole } from '#platform';
import { BaselineResetService } from './baseline-reset.service.js';
import { EvaluateQueryDto, EvaluationResponseDto } from './dto/evaluation.dto.js';
import { EventsQueryDto, RegressionEventIdParams, RegressionEventPageDto, RegressionEventResponseDto } from './dto/events.dto.js';
import { RecordKpiRequestDto, RecordKpiResponseDto } from './dto/kpi.dto.js';
import { RegressionPolicyResponseDto, UpsertRegressionPolicyRequestDto } from './dto/policy.dto.js';
import { BaselineResetRequestDto, RegressionStateResponseDto, StateQueryDto } from './dto/state.dto.js';
import { KpiIngestService } from './kpi-ingest.service.js';
import { BINDING_ERRORS, regressionErrors } from './regression-tripwire.errors.js';
import { RegressionEvaluationService } from './regression-evaluation.service.js';
import { RegressionPolicyService } from './regression-policy.service.js';
import { RegressionStateService } from './regression-state.service.js';

@ApiTags('regression tripwire')
@Controller('api/governance/regression')
export class RegressionTripwireController {
  constructor(
    private readonly policies: RegressionPolicyService,
    private readonly kpis: KpiIngestService,
    private readonly evaluation: RegressionEvaluationService,
    private readonly reads: RegressionStateService,
    private readonly baselines: BaselineResetService,
  ) {}

  @Get('policies')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Every tripwire policy (one per domain+metric)' })
  @ApiOkResponse({ type: [RegressionPolicyResponseDto] })
  list(): Promise<RegressionPolicyResponseDto[]> {
    return this.policies.list();
  }

  @Post('policies/upsert')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Create or change a tripwire policy (audited); omitted fields keep their value' })
  @ApiOkResponse({ type: RegressionPolicyResponseDto })
  @ApiAcceptedResponse({ type: ChangeRequestCreatedResponseDto, description: 'WARDEN_CHANGE_REQUESTS holds regression.policy: a change request, applied when another person approves it' })
  @ApiErrors({ ...regressionErrors('validation_failed', 'policy_incomplete', 'invalid_regression_policy'), control_version_conflict: 409 })
  async upsert(
    @CurrentPrincipal() p: Principal,
    @Body() body: UpsertRegressionPolicyRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegressionPolicyResponseDto | ChangeRequestCreatedResponseDto> {
    const outcome = await this.policies.request(p, body);
    reply.code(outcome.status);
    return outcome.body;
  }

  @Post('kpi')
  @RequireRole('engine')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Keys events without a correlation_id (batch: key:index); 1-200 of [A-Za-z0-9._:-]' })
  @ApiOperation({ summary: 'Record one KPI event or a batch of up to 1,000 (all or nothing; idempotent by correlation_id)' })
  @ApiCreatedResponse({ type: RecordKpiResponseDto })
  @ApiErrors({ ...regressionErrors('validation_failed', 'kpi_kind_mismatch', 'idempotency_conflict'), ...BINDING_ERRORS })
  recordKpi(@CurrentPrincipal() p: Principal, @Body() body: RecordKpiRequestDto, @Headers('idempotency-key') key?: string): Promise<RecordKpiResponseDto> {
    return this.kpis.record(p, body, key);
  }

  @Post('evaluate')
  @HttpCode(200)
  @RequireRole('engine')
  @ApiOperation({ summary: 'Evaluate one tripwire now: status, baseline, current, drop, p-value, action taken' })
  @ApiOkResponse({ type: EvaluationResponseDto })
  @ApiErrors({ ...regressionErrors('validation_failed', 'regression_policy_not_found'), ...BINDING_ERRORS })
  evaluate(@CurrentPrincipal() p: Principal, @Query() query: EvaluateQueryDto): Promise<EvaluationResponseDto> {
    return this.evaluation.evaluate(p, query.domain, query.metric);
  }

  @Get('state')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Latest verdict and action per domain+metric' })
  @ApiOkResponse({ type: [RegressionStateResponseDto] })
  @ApiErrors(regressionErrors('validation_failed'))
  state(@Query() query: StateQueryDto): Promise<RegressionStateResponseDto[]> {
    return this.reads.state(query);
  }

  @Get('events')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'What the tripwire did, newest first: status changes, triggers, actions, baseline resets (paged: ?before=next_cursor)' })
  @ApiOkResponse({ type: RegressionEventPageDto })
  @ApiErrors(regressionErrors('validation_failed'))
  events(@Query() query: EventsQueryDto): Promise<RegressionEventPageDto> {
    return this.reads.events(query);
  }

  @Get('events/:id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One tripwire event: the evaluation’s figures (baseline, current, drop, p-value) or the action’s outcome, in details' })
  @ApiOkResponse({ type: RegressionEventResponseDto })
  @ApiErrors(regressionErrors('validation_failed', 'regression_event_not_found'))
  event(@Param() params: RegressionEventIdParams): Promise<RegressionEventResponseDto> {
    return this.reads.event(params.id);
  }

  @Post('baseline/reset')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Reset baselines (the Friday ritual): events recorded so far no longer count' })
  @ApiOkResponse({ type: [RegressionStateResponseDto] })
  @ApiErrors(regressionErrors('validation_failed', 'regression_policy_not_found'))
  reset(@CurrentPrincipal() p: Principal, @Body() body: BaselineResetRequestDto): Promise<RegressionStateResponseDto[]> {
    return this.baselines.reset(p, body);
  }
}
