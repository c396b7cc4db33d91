import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, RequireRole } from '#platform';
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
import { ScorecardQueryDto, ScorecardResponseDto } from './dto/scorecard.dto.js';
import { RecordTrialRequestDto, TrialResponseDto } from './dto/trial.dto.js';
import { HeimdallService } from './heimdall.service.js';

const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: 'Alternative to correlation_id in the body' };

@ApiTags('heimdall')
@ApiBearerAuth()
@ApiExtraModels(GateCheckDto)
@Controller('api/governance/heimdall')
export class HeimdallController {
  constructor(private readonly heimdall: HeimdallService) {}

  @Get('policies')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Gate policy per AI domain' })
  @ApiResponse({ status: 200, type: [HeimdallPolicyResponseDto] })
  policies(): Promise<HeimdallPolicyResponseDto[]> {
    return this.heimdall.listPolicies();
  }

  @Post('policies/upsert')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Create or change a domain policy (audited); a new domain needs the three thresholds' })
  @ApiResponse({ status: 200, type: HeimdallPolicyResponseDto })
  upsertPolicy(@CurrentPrincipal() p: Principal, @Body() body: UpsertHeimdallPolicyRequestDto): Promise<HeimdallPolicyResponseDto> {
    return this.heimdall.upsertPolicy(p, body);
  }

  @Get('scorecard/today')
  @RequireRole('viewer')
  @ApiOperation({ summary: "Today's sandbox scorecard per domain: counters over each policy's window, every gate and its distance to passing" })
  @ApiResponse({ status: 200, type: ScorecardResponseDto })
  scorecard(@Query() query: ScorecardQueryDto): Promise<ScorecardResponseDto> {
    return this.heimdall.scorecard(query.domain);
  }

  @Get('scorecard/closed')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Closed-day scorecard snapshots written by the daily job, newest first (31 days)' })
  closed(@Query() query: ScorecardQueryDto) {
    return this.heimdall.closedDays(query.domain);
  }

  @Post('sandbox/trial')
  @RequireRole('engine')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Record one sandbox trial; the scorecard counts it in the same transaction' })
  @ApiResponse({ status: 201, type: TrialResponseDto })
  @ApiResponse({ status: 404, description: 'unknown_domain, recommendation_not_found' })
  @ApiResponse({ status: 409, description: 'idempotency_conflict' })
  trial(@CurrentPrincipal() p: Principal, @Body() body: RecordTrialRequestDto, @Headers('idempotency-key') key?: string): Promise<TrialResponseDto> {
    return this.heimdall.recordTrial(p, body, key);
  }

  @Post('recommend')
  @RequireRole('engine')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Create a recommendation, gated at creation: {id, prod_eligible, gate_reason, gates}' })
  @ApiResponse({ status: 201, type: RecommendationResponseDto })
  @ApiResponse({ status: 404, description: 'unknown_domain' })
  recommend(@CurrentPrincipal() p: Principal, @Body() body: RecommendRequestDto, @Headers('idempotency-key') key?: string): Promise<RecommendationResponseDto> {
    return this.heimdall.recommend(p, body, key);
  }

  @Get('recommendations')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Recommendations, newest first; filter by domain and eligibility at creation; page with ?cursor=' })
  @ApiResponse({ status: 200, type: RecommendationPageDto })
  recommendations(@Query() query: ListRecommendationsQueryDto): Promise<RecommendationPageDto> {
    return this.heimdall.listRecommendations(query);
  }

  @Get('recommendations/:id')
  @RequireRole('viewer')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'One recommendation, its decision at creation and every later check' })
  @ApiResponse({ status: 200, type: RecommendationDetailDto })
  recommendation(@Param('id') id: string): Promise<RecommendationDetailDto> {
    return this.heimdall.getRecommendation(id);
  }

  @Post('recommendations/:id/require-prod-eligible')
  @HttpCode(200)
  @RequireRole('engine')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Re-check now (current policy, scorecard, kill switch): 200 if eligible, else 403 heimdall_gate_failed' })
  @ApiResponse({ status: 200, type: EligibilityResponseDto })
  @ApiResponse({ status: 403, description: 'heimdall_gate_failed (reason_codes, gates in details) or kill_switch_engaged' })
  @ApiResponse({ status: 404, description: 'recommendation_not_found' })
  requireProdEligible(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: RequireProdEligibleRequestDto = {},
  ): Promise<EligibilityResponseDto> {
    return this.heimdall.requireProdEligible(id, p, body ?? {});
  }
}
