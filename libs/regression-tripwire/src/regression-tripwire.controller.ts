import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, RequireRole } from '#platform';
import {
  BaselineResetRequestDto,
  EvaluateQueryDto,
  EvaluationResponseDto,
  EventsQueryDto,
  RegressionEventResponseDto,
  RegressionStateResponseDto,
  StateQueryDto,
} from './dto/evaluation.dto.js';
import { RecordKpiRequestDto, RecordKpiResponseDto } from './dto/kpi.dto.js';
import { RegressionPolicyResponseDto, UpsertRegressionPolicyRequestDto } from './dto/policy.dto.js';
import { RegressionTripwireService } from './regression-tripwire.service.js';

@ApiTags('regression tripwire')
@ApiBearerAuth()
@Controller('api/governance/regression')
export class RegressionTripwireController {
  constructor(private readonly tripwire: RegressionTripwireService) {}

  @Get('policies')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Every tripwire policy (one per domain+metric)' })
  policies(): Promise<RegressionPolicyResponseDto[]> {
    return this.tripwire.listPolicies();
  }

  @Post('policies/upsert')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Create or change a tripwire policy (audited); omitted fields keep their value' })
  upsert(@CurrentPrincipal() p: Principal, @Body() body: UpsertRegressionPolicyRequestDto): Promise<RegressionPolicyResponseDto> {
    return this.tripwire.upsertPolicy(p, body);
  }

  @Post('kpi')
  @RequireRole('engine')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Keys events without a correlation_id (batch: key:index)' })
  @ApiOperation({ summary: 'Record one KPI event or a batch of up to 1,000 (all or nothing; idempotent by correlation_id)' })
  @ApiResponse({ status: 409, description: 'idempotency_conflict or kpi_kind_mismatch' })
  recordKpi(
    @CurrentPrincipal() p: Principal,
    @Body() body: RecordKpiRequestDto,
    @Headers('idempotency-key') key?: string,
  ): Promise<RecordKpiResponseDto> {
    return this.tripwire.recordKpi(p, body, key);
  }

  @Post('evaluate')
  @HttpCode(200)
  @RequireRole('engine')
  @ApiOperation({ summary: 'Evaluate one tripwire now: status, baseline, current, drop, p-value, action taken' })
  @ApiResponse({ status: 404, description: 'regression_policy_not_found' })
  evaluate(@CurrentPrincipal() p: Principal, @Query() query: EvaluateQueryDto): Promise<EvaluationResponseDto> {
    return this.tripwire.evaluate(p, query.domain, query.metric);
  }

  @Get('state')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Latest verdict and action per domain+metric' })
  state(@Query() query: StateQueryDto): Promise<RegressionStateResponseDto[]> {
    return this.tripwire.state(query);
  }

  @Get('events')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'What the tripwire did, newest first: status changes, triggers, actions, baseline resets' })
  events(@Query() query: EventsQueryDto): Promise<RegressionEventResponseDto[]> {
    return this.tripwire.events(query);
  }

  @Post('baseline/reset')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Reset baselines (the Friday ritual): events recorded so far no longer count' })
  @ApiResponse({ status: 404, description: 'regression_policy_not_found' })
  reset(@CurrentPrincipal() p: Principal, @Body() body: BaselineResetRequestDto): Promise<RegressionStateResponseDto[]> {
    return this.tripwire.resetBaseline(p, body);
  }
}
