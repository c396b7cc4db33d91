import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors, AuthErrorCode, CurrentPrincipal, ExecutionClass, type Principal, RequireRole } from '#platform';
import { ChangePolicyService, readPolicyPut } from './change-policy.service.js';
import { ChangesErrors } from './changes.errors.js';
import { ChangesService } from './changes.service.js';
import { ChangeAnswerDto, ProposeChangeDto } from './dto/change.dto.js';
import { ChangePolicyActivationResponseDto, ChangePolicyCurrentDto, ChangePolicyHistoryDto, ChangePolicyPutJsonDto, ChangePolicyPutResponseDto, ChangePolicyVersionDto } from './dto/policy.dto.js';
import { ChangePolicyActivateDto, ChangePolicyDigestParams, ChangePolicyPutQueryDto } from './dto/queries.dto.js';

@ApiTags('changes')
@ApiExtraModels(ChangePolicyPutJsonDto)
@Controller('api/governance/changes')
export class ChangesController {
  constructor(
    private readonly changes: ChangesService,
    private readonly policies: ChangePolicyService,
  ) {}

  @Post()
  @RequireRole('engine')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: "Propose a change (Autopack's tiers): 201 auto-approved (tier 1, or tier 2 with a notification), 202 held for a person (a Warden approval of kind change)" })
  @ApiBody({ type: ProposeChangeDto })
  @ApiCreatedResponse({ type: ChangeAnswerDto, description: 'auto-approved: approved true, approved_by "auto"' })
  @ApiAcceptedResponse({ type: ChangeAnswerDto, description: 'held: approved null, approval_id, error_type protected_path_violation, violated_paths, requires_approval' })
  @ApiErrors({ ...ChangesErrors.pick('invalid_change', 'engine_required', 'run_not_owned', 'run_engine_mismatch'), [AuthErrorCode.EngineNotBound]: 403, too_many_pending_approvals: 429 })
  async propose(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<ChangeAnswerDto> {
    const answer = await this.changes.propose(p, body);
    void reply.status(answer.status);
    return answer.body as ChangeAnswerDto;
  }

  @Put('policy')
  @RequireRole('operator')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Store a change policy version (YAML), versioned by digest; idempotent; ?activate=true puts it in force (audited)' })
  @ApiConsumes('application/yaml', 'text/yaml', 'application/json')
  @ApiBody({ schema: { oneOf: [{ type: 'string', description: 'The YAML text' }, { $ref: getSchemaPath(ChangePolicyPutJsonDto) }] } })
  @ApiOkResponse({ type: ChangePolicyPutResponseDto })
  @ApiErrors(ChangesErrors.pick('invalid_policy', 'policy_too_large'))
  put(@CurrentPrincipal() p: Principal, @Query() q: ChangePolicyPutQueryDto, @Body() body: unknown): Promise<ChangePolicyPutResponseDto> {
    return this.policies.put(p, readPolicyPut(body, q));
  }

  @Post('policy/activate')
  @HttpCode(200)
  @RequireRole('operator')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: "Put a stored version (or Autopack's built-in default) in force (audited)" })
  @ApiOkResponse({ type: ChangePolicyActivationResponseDto })
  @ApiErrors(ChangesErrors.pick('policy_version_not_found'))
  activate(@CurrentPrincipal() p: Principal, @Body() body: ChangePolicyActivateDto): Promise<ChangePolicyActivationResponseDto> {
    return this.policies.activate(p, body.digest, body.reason?.trim() || null);
  }

  @Get('policy')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The change policy in force: digest, YAML, normalized policy' })
  @ApiOkResponse({ type: ChangePolicyCurrentDto })
  current(): Promise<ChangePolicyCurrentDto> {
    return this.policies.current();
  }

  @Get('policy/history')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Stored versions and activations, newest first' })
  @ApiOkResponse({ type: ChangePolicyHistoryDto })
  history(): Promise<ChangePolicyHistoryDto> {
    return this.policies.history();
  }

  @Get('policy/versions/:digest')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One stored version' })
  @ApiOkResponse({ type: ChangePolicyVersionDto })
  @ApiErrors(ChangesErrors.pick('policy_version_not_found'))
  version(@Param() params: ChangePolicyDigestParams): Promise<ChangePolicyVersionDto> {
    return this.policies.version(params.digest);
  }
}
