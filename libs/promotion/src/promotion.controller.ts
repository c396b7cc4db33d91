import { Body, Controller, Get, Header, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ChangeRequestCreatedResponseDto } from '#approvals';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, type Principal, RequireRole } from '#platform';
import { PromotionDecisionPageDto, PromotionDecisionQueryDto } from './dto/decision.dto.js';
import { EvaluatePromotionRequestDto, PromotionResultDto } from './dto/evaluate.dto.js';
import { PutRulesRequestDto, RuleFileResponseDto } from './dto/rules.dto.js';
import { PromotionErrors } from './promotion.errors.js';
import { PromotionDecisionsService } from './promotion-decisions.service.js';
import { PromotionEvaluationService } from './promotion-evaluation.service.js';
import { PromotionRulesService } from './promotion-rules.service.js';

const INVALID = { validation_failed: 400 };

@ApiTags('promotion')
@Controller('api/governance/heimdall/promotion')
export class PromotionController {
  constructor(
    private readonly evaluation: PromotionEvaluationService,
    private readonly rules: PromotionRulesService,
    private readonly decisions: PromotionDecisionsService,
  ) {}

  @Post('evaluate')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Evaluate a scorecard (menace-compatible); logged; a signed override is used once' })
  @ApiOkResponse({ type: PromotionResultDto })
  @ApiErrors({ ...INVALID, ...PromotionErrors.pick('invalid_scorecard', 'invalid_policy', 'invalid_rule_file', 'rule_compile_error', 'override_invalid', 'override_replayed') })
  evaluate(@CurrentPrincipal() p: Principal, @Body() body: EvaluatePromotionRequestDto): Promise<PromotionResultDto> {
    return this.evaluation.evaluate(p, body);
  }

  @Get('rules')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The active rule file (newest version)' })
  @ApiOkResponse({ type: RuleFileResponseDto })
  getRules(): Promise<RuleFileResponseDto> {
    return this.rules.get();
  }

  @Put('rules')
  @RequireRole('operator')
  @ApiOperation({ summary: 'Put the active rule file (YAML or JSON); compiled first, versioned and audited' })
  @ApiOkResponse({ type: RuleFileResponseDto })
  @ApiAcceptedResponse({ type: ChangeRequestCreatedResponseDto, description: 'WARDEN_CHANGE_REQUESTS holds promotion.rules: a change request, applied when another person approves it' })
  @ApiErrors({ ...INVALID, ...PromotionErrors.pick('invalid_rule_file', 'rule_compile_error'), control_version_conflict: 409 })
  async putRules(
    @CurrentPrincipal() p: Principal,
    @Body() body: PutRulesRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RuleFileResponseDto | ChangeRequestCreatedResponseDto> {
    const outcome = await this.rules.put(p, body);
    reply.code(outcome.status);
    return outcome.body;
  }

  @Get('decisions')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The decision log, newest first, with the full input of each decision' })
  @ApiOkResponse({ type: PromotionDecisionPageDto })
  @ApiErrors(INVALID)
  listDecisions(@Query() q: PromotionDecisionQueryDto): Promise<PromotionDecisionPageDto> {
    return this.decisions.list(q);
  }

  @Get('decisions.jsonl')
  @RequireRole('viewer')
  @Header('content-type', 'application/x-ndjson; charset=utf-8')
  @ApiOperation({ summary: 'Export of the decision log (same filters, every page): one decision per line' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ type: String, description: 'One PromotionDecisionResponseDto per line' })
  @ApiErrors(INVALID)
  exportDecisions(@Query() q: PromotionDecisionQueryDto): Promise<string> {
    return this.decisions.jsonl(q);
  }
}
