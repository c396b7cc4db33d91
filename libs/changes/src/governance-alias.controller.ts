import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, ExecutionClass, type Principal, RequireRole } from '#platform';
import { BreakGlassService } from './break-glass.service.js';
import { ChangeDecisionsService } from './change-decisions.service.js';
import { ChangeReadsService } from './change-reads.service.js';
import { ChangesErrors } from './changes.errors.js';
import { ChangeAnswerDto, ChangeDecisionResponseDto, ChangeHistoryResponseDto, ChangePendingResponseDto } from './dto/change.dto.js';
import { BreakGlassRequestDto, ChangeApproveQueryDto, ChangeListQueryDto, ChangeRequestIdParams } from './dto/queries.dto.js';

const DECIDE_ERRORS = {
  ...ChangesErrors.pick('change_not_found', 'change_not_pending'),
  self_decision_forbidden: 403,
  approver_role_not_allowed: 403,
  approval_expired: 409,
  approval_not_pending: 409,
  already_decided_by_approver: 409,
};

/**
 * Autopack's governance routes (main.py, GOVERNANCE.md), for agents written against it, over the
 * same services as POST /changes; and break-glass. Decisions are Warden approvals underneath.
 */
@ApiTags('changes')
@Controller('api/governance')
export class GovernanceAliasController {
  constructor(
    private readonly reads: ChangeReadsService,
    private readonly decisions: ChangeDecisionsService,
    private readonly glass: BreakGlassService,
  ) {}

  @Get('pending')
  @RequireRole('viewer')
  @ApiOperation({ summary: "Autopack: the held change requests awaiting a decision, newest first ({count, pending_requests})" })
  @ApiOkResponse({ type: ChangePendingResponseDto })
  pending(@Query() q: ChangeListQueryDto): Promise<ChangePendingResponseDto> {
    return this.reads.pending(q.limit ?? 100, q.run_id) as Promise<ChangePendingResponseDto>;
  }

  @Post('approve/:request_id')
  @HttpCode(200)
  @RequireRole('operator')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Autopack: approve (approved=true) or deny (approved=false) a held change, through Warden approvals (no self-approval, two persons for critical)' })
  @ApiOkResponse({ type: ChangeDecisionResponseDto })
  @ApiErrors(DECIDE_ERRORS)
  approve(@CurrentPrincipal() p: Principal, @Param() params: ChangeRequestIdParams, @Query() q: ChangeApproveQueryDto): Promise<ChangeDecisionResponseDto> {
    return this.decisions.approve(p, params.request_id, q.approved ?? true, q.user_id?.trim() || null, q.reason?.trim() || null);
  }

  @Get('request/:request_id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Autopack: one change request with its decision' })
  @ApiOkResponse({ type: ChangeAnswerDto })
  @ApiErrors(ChangesErrors.pick('change_not_found'))
  request(@Param() params: ChangeRequestIdParams): Promise<ChangeAnswerDto> {
    return this.reads.get(params.request_id) as Promise<ChangeAnswerDto>;
  }

  @Get('history')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Autopack: every change request of a run (or all), newest first' })
  @ApiOkResponse({ type: ChangeHistoryResponseDto })
  history(@Query() q: ChangeListQueryDto): Promise<ChangeHistoryResponseDto> {
    return this.reads.history(q.run_id ?? null, q.limit ?? 100, q.before ?? null) as Promise<ChangeHistoryResponseDto>;
  }

  @Post('break-glass/:request_id')
  @HttpCode(200)
  @RequireRole('operator')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Let one held change through without the second person: recorded, notified at once (change.break_glass), and a retroactive review a second operator must close' })
  @ApiOkResponse({ type: ChangeAnswerDto })
  @ApiErrors({ ...ChangesErrors.pick('change_not_found', 'change_not_pending'), too_many_pending_approvals: 429 })
  breakGlass(@CurrentPrincipal() p: Principal, @Param() params: ChangeRequestIdParams, @Body() body: BreakGlassRequestDto): Promise<ChangeAnswerDto> {
    return this.glass.breakGlass(p, params.request_id, body.reason) as Promise<ChangeAnswerDto>;
  }
}
