import { Body, Controller, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApprovalCreatedResponseDto } from '#approvals';
import { ApiErrors, CurrentPrincipal, type Principal, RequireRole } from '#platform';
import {
  AttestRequestDto,
  ChecklistItemDto,
  ChecklistResponseDto,
  CheckResultDto,
  EnableGoLiveRequestDto,
  GoLiveChangeRequestDto,
  GoLiveStateResponseDto,
} from './dto/go-live.dto.js';
import { GoLiveChangesService } from './go-live-changes.service.js';
import { GoLiveChecklistService } from './go-live-checklist.service.js';
import { GoLiveErrors } from './go-live.errors.js';
import { GoLiveService } from './go-live.service.js';

@ApiTags('go-live')
@ApiBearerAuth()
@ApiExtraModels(ChecklistItemDto, CheckResultDto)
@ApiConsumes('application/json', 'application/x-www-form-urlencoded')
@Controller('api/governance/go-live')
export class GoLiveController {
  constructor(
    private readonly goLive: GoLiveService,
    private readonly checklists: GoLiveChecklistService,
    private readonly changes: GoLiveChangesService,
  ) {}

  @Get('state')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The control-plane row' })
  @ApiOkResponse({ type: GoLiveStateResponseDto })
  @ApiErrors(GoLiveErrors.pick('governance_unavailable'))
  state(): Promise<GoLiveStateResponseDto> {
    return this.goLive.state();
  }

  @Get('checklist')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Readiness checklist: computed items and operator attestations' })
  @ApiOkResponse({ type: ChecklistResponseDto })
  checklist(): Promise<ChecklistResponseDto> {
    return this.checklists.checklist();
  }

  @Put('checklist/:item')
  @RequireRole('operator')
  @ApiParam({ name: 'item', example: 'runbook_reviewed' })
  @ApiOperation({ summary: 'Attest (or withdraw) an operator checklist item' })
  @ApiOkResponse({ type: ChecklistResponseDto })
  @ApiErrors(GoLiveErrors.pick('validation_failed', 'unknown_checklist_item'))
  attest(@CurrentPrincipal() p: Principal, @Param('item') item: string, @Body() body: AttestRequestDto): Promise<ChecklistResponseDto> {
    return this.checklists.attest(p, item, body);
  }

  @Post('enable')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Enable go-live (412 checklist_failed with the checklist when it is not complete)' })
  @ApiOkResponse({ type: GoLiveStateResponseDto })
  @ApiErrors(GoLiveErrors.pick('validation_failed', 'checklist_failed'))
  enable(@CurrentPrincipal() p: Principal, @Body() body: EnableGoLiveRequestDto): Promise<GoLiveStateResponseDto> {
    return this.changes.enable(p, body);
  }

  @Post('disable')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Disable go-live (reason required)' })
  @ApiOkResponse({ type: GoLiveStateResponseDto })
  @ApiErrors(GoLiveErrors.pick('validation_failed'))
  disable(@CurrentPrincipal() p: Principal, @Body() body: GoLiveChangeRequestDto): Promise<GoLiveStateResponseDto> {
    return this.changes.disable(p, body);
  }

  @Post('kill-switch/engage')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Engage the kill switch: every PROD_EXEC request is refused, in every environment' })
  @ApiOkResponse({ type: GoLiveStateResponseDto })
  @ApiErrors(GoLiveErrors.pick('validation_failed'))
  engage(@CurrentPrincipal() p: Principal, @Body() body: GoLiveChangeRequestDto): Promise<GoLiveStateResponseDto> {
    return this.changes.engageKillSwitch(p, body);
  }

  @Post('kill-switch/release')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({
    summary: 'Release the kill switch',
    description:
      'With WARDEN_TWO_PERSON listing kill_switch_release (the default in production) the switch stays engaged: ' +
      'the answer is 202 with an approval request (kind kill_switch_release), and the release happens when another operator approves it.',
  })
  @ApiOkResponse({ type: GoLiveStateResponseDto, description: 'Released' })
  @ApiAcceptedResponse({ type: ApprovalCreatedResponseDto, description: 'Two-person rule: waiting for a second operator' })
  @ApiErrors(GoLiveErrors.pick('validation_failed'))
  async release(
    @CurrentPrincipal() p: Principal,
    @Body() body: GoLiveChangeRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GoLiveStateResponseDto | ApprovalCreatedResponseDto> {
    const outcome = await this.changes.releaseKillSwitch(p, body);
    reply.code(outcome.status);
    return outcome.body;
  }
}
