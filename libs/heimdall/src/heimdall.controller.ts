import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ChangeRequestCreatedResponseDto } from '#approvals';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, type Principal, RequireRole } from '#platform';
import { HeimdallCheckDto, HeimdallCheckIdParams, HeimdallCheckPageDto, HeimdallChecksQueryDto } from './dto/check.dto.js';
import { GateCheckDto } from './dto/gate.dto.js';
import { HeimdallPolicyResponseDto, UpsertHeimdallPolicyRequestDto } from './dto/policy.dto.js';
import {
  EligibilityResponseDto,
  ListRecommendationsQueryDto,
  RecommendationDetailDto,
  RecommendationPageDto,
  RecommendationResponseDto,
  RecommendRequestDto,
  RequireProdEligibleRequestDto,
} from './dto/recommendation.dto.js';
import { ClosedDayDto, ScorecardQueryDto, ScorecardResponseDto } from './dto/scorecard.dto.js';
import { RecordTrialRequestDto, TrialResponseDto } from './dto/trial.dto.js';
import { heimdallErrors } from './heimdall.errors.js';
import { HeimdallChecksService } from './heimdall-checks.service.js';
import { HeimdallPolicyService } from './heimdall-policy.service.js';
import { HeimdallScorecardService } from './heimdall-scorecard.service.js';
import { HeimdallService } from './heimdall.service.js';
import { HeimdallTrialsService } from './heimdall-trials.service.js';

const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: 'Alternative to correlation_id in the body' };
const INVALID = { validation_failed: 400 };
const UNAVAILABLE = { governance_unavailable: 503 };
/** Listed above RequireRole so that its 403 entry (forbidden) is extended, not replaced. */
const BOUND = { forbidden: 403, domain_not_bound: 403 };

@ApiTags('heimdall')
@ApiExtraModels(GateCheckDto)
@Controller('api/governance/heimdall')
export class HeimdallController {
  constructor(
    private readonly heimdall: HeimdallService,
    private readonly policies: HeimdallPolicyService,
    private readonly trials: HeimdallTrialsService,
    private readonly scorecards: HeimdallScorecardService,
    private readonly checks: HeimdallChecksService,
  ) {}

  @Get('policies')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Gate policy per AI domain' })
  @ApiOkResponse({ type: [HeimdallPolicyResponseDto] })
  list(): Promise<HeimdallPolicyResponseDto[]> {
    return this.policies.list();
  }

  @Post('policies/upsert')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Create or change a domain policy (audited); a new domain needs the three thresholds' })
  @ApiOkResponse({ type: HeimdallPolicyResponseDto })
  @ApiAcceptedResponse({ type: ChangeRequestCreatedResponseDto, description: 'WARDEN_CHANGE_REQUESTS holds heimdall.policy: a change request, applied when another person approves it' })
  @ApiErrors({ ...INVALID, ...heimdallErrors('policy_incomplete'), control_version_conflict: 409 })
  async upsertPolicy(
    @CurrentPrincipal() p: Principal,
    @Body() body: UpsertHeimdallPolicyRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HeimdallPolicyResponseDto | ChangeRequestCreatedResponseDto> {
    const outcome = await this.policies.request(p, body);
    reply.code(outcome.status);
    return outcome.body;
  }

  @Get('scorecard/today')
  @RequireRole('viewer')
  @ApiOperation({ summary: "Today's sandbox scorecard per domain: counters over each policy's window, every gate and its distance to passing" })
  @ApiOkResponse({ type: ScorecardResponseDto })
  @ApiErrors({ ...INVALID, ...heimdallErrors('unknown_domain'), ...UNAVAILABLE })
  scorecard(@Query() query: ScorecardQueryDto): Promise<ScorecardResponseDto> {
    return this.scorecards.today(query.domain);
  }

  @Get('scorecard/closed')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Closed-day scorecard snapshots written by the daily job, newest first (31 days)' })
  @ApiOkResponse({ type: [ClosedDayDto] })
  @ApiErrors(INVALID)
  closed(@Query() query: ScorecardQueryDto): Promise<ClosedDayDto[]> {
    return this.scorecards.closedDays(query.domain);
  }

  @Post('sandbox/trial')
  @ApiErrors({ ...INVALID, ...BOUND, ...heimdallErrors('recommendation_domain_mismatch', 'unknown_domain', 'recommendation_not_found', 'idempotency_conflict') })
  @RequireRole('engine')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Record one sandbox trial; the scorecard counts it in the same transaction' })
  @ApiCreatedResponse({ type: TrialResponseDto })
  trial(@CurrentPrincipal() p: Principal, @Body() body: RecordTrialRequestDto, @Headers('idempotency-key') key?: string): Promise<TrialResponseDto> {
    return this.trials.record(p, body, key);
  }

  @Post('recommend')
  @ApiErrors({ ...INVALID, ...BOUND, ...heimdallErrors('unknown_domain', 'idempotency_conflict'), ...UNAVAILABLE })
  @RequireRole('engine')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Create a recommendation, gated at creation: {id, prod_eligible, gate_reason, gates}' })
  @ApiCreatedResponse({ type: RecommendationResponseDto })
  recommend(@CurrentPrincipal() p: Principal, @Body() body: RecommendRequestDto, @Headers('idempotency-key') key?: string): Promise<RecommendationResponseDto> {
    return this.heimdall.recommend(p, body, key);
  }

  @Get('recommendations')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Recommendations, newest first; filter by domain, eligibility at creation and time; page with ?before=' })
  @ApiOkResponse({ type: RecommendationPageDto })
  @ApiErrors(INVALID)
  recommendations(@Query() query: ListRecommendationsQueryDto): Promise<RecommendationPageDto> {
    return this.heimdall.listRecommendations(query);
  }

  @Get('recommendations/:id')
  @RequireRole('viewer')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'One recommendation, its decision at creation and every later check' })
  @ApiOkResponse({ type: RecommendationDetailDto })
  @ApiErrors(heimdallErrors('recommendation_not_found'))
  recommendation(@Param('id') id: string): Promise<RecommendationDetailDto> {
    return this.heimdall.getRecommendation(id);
  }

  @Get('checks')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Every recorded Heimdall decision (at creation and each re-check, the gate’s included), newest first, each with its gates; filter by domain, outcome, prod_eligible, recommendation_id, correlation_id, kind and time; page with ?before=' })
  @ApiOkResponse({ type: HeimdallCheckPageDto })
  @ApiErrors(INVALID)
  checkList(@Query() query: HeimdallChecksQueryDto): Promise<HeimdallCheckPageDto> {
    return this.checks.list(query);
  }

  @Get('checks/:id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One Heimdall check: every gate, actual against required, and the window it was judged on' })
  @ApiOkResponse({ type: HeimdallCheckDto })
  @ApiErrors({ ...INVALID, ...heimdallErrors('heimdall_check_not_found') })
  check(@Param() params: HeimdallCheckIdParams): Promise<HeimdallCheckDto> {
    return this.checks.get(params.id);
  }

  @Post('recommendations/:id/require-prod-eligible')
  @HttpCode(200)
  @ApiErrors({ ...INVALID, ...BOUND, ...heimdallErrors('heimdall_gate_failed', 'kill_switch_engaged', 'recommendation_not_found'), ...UNAVAILABLE })
  @RequireRole('engine')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Re-check now (current policy, scorecard, kill switch): 200 if eligible, else 403 heimdall_gate_failed (or kill_switch_engaged)' })
  @ApiOkResponse({ type: EligibilityResponseDto })
  requireProdEligible(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: RequireProdEligibleRequestDto): Promise<EligibilityResponseDto> {
    return this.heimdall.requireProdEligible(id, p, body);
  }
}
