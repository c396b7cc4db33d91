import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ChangeRequestCreatedResponseDto } from '#approvals';
import { ApiErrorBody, ApiErrors, AuthErrorCode, CurrentPrincipal, ExecutionClass, type Principal, RequireRole } from '#platform';
import { GateDecisionsService } from './gate-decisions.service.js';
import { GateEvaluateService } from './gate-evaluate.service.js';
import { GatePolicyService, readPolicyPut } from './gate-policy.service.js';
import { GateStatsService } from './gate-stats.service.js';
import { GateTrustService } from './gate-trust.service.js';
import { gateErrors } from './gate.errors.js';
import { GateDecisionDto, GateDecisionIdParams, GateDecisionPageDto, GateDecisionQueryDto } from './dto/decisions.dto.js';
import { EvaluateRequestDto, GateBlockedResponseDto, GateVerdictResponseDto } from './dto/evaluate.dto.js';
import { ActivatePolicyDto, GatePolicyDetailDto, GatePolicyListDto, GatePolicyResponseDto, PolicyNameParams, PutPolicyJsonDto, PutPolicyQueryDto, PutPolicyResponseDto, SetModeDto } from './dto/policy.dto.js';
import { GateStatsResponseDto, StatsQueryDto } from './dto/stats.dto.js';
import { IdentityParams, ReportOutcomeDto, SetTrustDto, TrustResponseDto } from './dto/trust.dto.js';

@ApiTags('gate')
@ApiExtraModels(PutPolicyJsonDto, GateBlockedResponseDto)
@Controller('api/governance/gate')
export class GateController {
  constructor(
    private readonly evaluator: GateEvaluateService,
    private readonly policies: GatePolicyService,
    private readonly trust: GateTrustService,
    private readonly statistics: GateStatsService,
    private readonly decisions: GateDecisionsService,
  ) {}

  @Post('evaluate')
  @HttpCode(200)
  @RequireRole('engine')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Judge one intent: go-live, the active policy file, risk guard, Heimdall, the engine throttle, trust; the strictest verdict wins' })
  @ApiOkResponse({ type: GateVerdictResponseDto, description: 'allow or dry_run, or any simulate: true evaluation' })
  @ApiAcceptedResponse({ type: GateVerdictResponseDto, description: 'require_approval: approval_id names the request filed; re-submit the same intent with it once approved' })
  @ApiResponse({ status: 403, description: 'block (`gate_blocked`: GateBlockedResponseDto, the verdict fields), or a token not bound to the engine/domain/identity (ErrorBodyDto)' })
  @ApiErrorBody(403, GateBlockedResponseDto)
  @ApiErrors({ ...gateErrors('invalid_intent', 'correlation_id_required'), [AuthErrorCode.IdentityNotBound]: 403 })
  async evaluate(@CurrentPrincipal() p: Principal, @Body() body: EvaluateRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<GateVerdictResponseDto> {
    const answer = await this.evaluator.evaluate(p, body);
    void reply.status(answer.status);
    return answer.body;
  }

  @Put('policies/:name')
  @RequireRole('operator')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Store a policy version (gait.gate.policy YAML), versioned by digest; a new name activates it; idempotent' })
  @ApiConsumes('application/yaml', 'text/yaml', 'application/json')
  @ApiBody({
    schema: { oneOf: [{ type: 'string', description: 'The YAML text (application/yaml or text/yaml)' }, { $ref: getSchemaPath(PutPolicyJsonDto) }] },
    examples: { yaml: { value: 'default_verdict: block\nrules:\n  - name: allow-reads\n    effect: allow\n    match: {tool_names: [tool.read]}\n' } },
  })
  @ApiOkResponse({ type: PutPolicyResponseDto })
  @ApiAcceptedResponse({ type: ChangeRequestCreatedResponseDto, description: 'WARDEN_CHANGE_REQUESTS holds gate.policy: the version is stored; its activation (or the mode) is a change request, beside name, digest, version_created, rule_count' })
  @ApiErrors({ ...gateErrors('invalid_policy'), control_version_conflict: 409 })
  async put(
    @CurrentPrincipal() p: Principal,
    @Param() params: PolicyNameParams,
    @Query() q: PutPolicyQueryDto,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PutPolicyResponseDto | ChangeRequestCreatedResponseDto> {
    const outcome = await this.policies.request(p, params.name, { ...readPolicyPut(body, q), baseVersion: q.base_version });
    reply.code(outcome.status);
    return outcome.body;
  }

  @Get('policies')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Every stored policy: active digest, mode, trust threshold, version count' })
  @ApiOkResponse({ type: GatePolicyListDto })
  list(): Promise<GatePolicyListDto> {
    return this.policies.list();
  }

  @Get('policies/:name')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One policy with every version (newest first)' })
  @ApiOkResponse({ type: GatePolicyDetailDto })
  @ApiErrors(gateErrors('policy_not_found'))
  get(@Param() params: PolicyNameParams): Promise<GatePolicyDetailDto> {
    return this.policies.get(params.name);
  }

  @Post('policies/:name/activate')
  @HttpCode(200)
  @RequireRole('operator')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Make a stored version the active one (audited)' })
  @ApiOkResponse({ type: GatePolicyResponseDto })
  @ApiAcceptedResponse({ type: ChangeRequestCreatedResponseDto, description: 'WARDEN_CHANGE_REQUESTS holds gate.policy: a change request, applied when another person approves it' })
  @ApiErrors({ ...gateErrors('policy_not_found', 'policy_version_not_found'), control_version_conflict: 409 })
  async activate(
    @CurrentPrincipal() p: Principal,
    @Param() params: PolicyNameParams,
    @Body() body: ActivatePolicyDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GatePolicyResponseDto | ChangeRequestCreatedResponseDto> {
    const outcome = await this.policies.activate(p, params.name, body.digest, body.reason, body.base_version);
    reply.code(outcome.status);
    return outcome.body;
  }

  @Post('policies/:name/mode')
  @HttpCode(200)
  @RequireRole('operator')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Set the rollout mode (observe, dry_run, enforce) and optionally the trust threshold (audited)' })
  @ApiOkResponse({ type: GatePolicyResponseDto })
  @ApiAcceptedResponse({ type: ChangeRequestCreatedResponseDto, description: 'WARDEN_CHANGE_REQUESTS holds gate.policy: a change request, applied when another person approves it' })
  @ApiErrors({ ...gateErrors('policy_not_found'), control_version_conflict: 409 })
  async mode(
    @CurrentPrincipal() p: Principal,
    @Param() params: PolicyNameParams,
    @Body() body: SetModeDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GatePolicyResponseDto | ChangeRequestCreatedResponseDto> {
    const outcome = await this.policies.setMode(p, params.name, body.mode, body.trust_threshold, body.reason, body.base_version);
    reply.code(outcome.status);
    return outcome.body;
  }

  @Get('stats')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Decisions processed, allowed, blocked, approvals pending and used, approval rate, would-have-blocked in observe mode' })
  @ApiOkResponse({ type: GateStatsResponseDto })
  stats(@Query() q: StatsQueryDto): Promise<GateStatsResponseDto> {
    return this.statistics.stats(q.since, q.until);
  }

  @Get('decisions')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The decision log, newest first, each with its trace: filter by verdict, identity, engine, policy, reason code, time; page with ?before=' })
  @ApiOkResponse({ type: GateDecisionPageDto })
  listDecisions(@Query() q: GateDecisionQueryDto): Promise<GateDecisionPageDto> {
    return this.decisions.list(q);
  }

  @Get('decisions/:id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One stored decision with its trace: why it was allowed, held or blocked' })
  @ApiOkResponse({ type: GateDecisionDto })
  @ApiErrors(gateErrors('decision_not_found'))
  getDecision(@Param() params: GateDecisionIdParams): Promise<GateDecisionDto> {
    return this.decisions.get(params.id);
  }

  @Get('trust/:identity')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'An identity’s trust score with its prior, counts, override and latest outcomes' })
  @ApiOkResponse({ type: TrustResponseDto })
  getTrust(@Param() params: IdentityParams): Promise<TrustResponseDto> {
    return this.trust.get(params.identity);
  }

  @Post('trust/:identity/outcomes')
  @HttpCode(201)
  @RequireRole('engine')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Record an outcome of an identity’s action (engines: violations only, and only against an identity they may claim)' })
  @ApiResponse({ status: 201, type: TrustResponseDto })
  @ApiErrors({ ...gateErrors('outcome_not_permitted', 'decision_not_found', 'decision_not_allowed'), [AuthErrorCode.IdentityNotBound]: 403 })
  report(@CurrentPrincipal() p: Principal, @Param() params: IdentityParams, @Body() body: ReportOutcomeDto): Promise<TrustResponseDto> {
    return this.trust.report(p, params.identity, body);
  }

  @Put('trust/:identity')
  @RequireRole('operator')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Set (or with score null clear) an operator override of the trust score (audited)' })
  @ApiOkResponse({ type: TrustResponseDto })
  setTrust(@CurrentPrincipal() p: Principal, @Param() params: IdentityParams, @Body() body: SetTrustDto): Promise<TrustResponseDto> {
    return this.trust.override(p, params.identity, body.score, body.reason);
  }
}
