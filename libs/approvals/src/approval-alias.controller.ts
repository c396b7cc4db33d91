import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, type Principal, RequireRole } from '#platform';
import { ApprovalDecisionsService } from './approval-decisions.service.js';
import { ApprovalsService } from './approvals.service.js';
import type { RiskLevel } from './decide/rules.js';
import { AliasPendingResponseDto, AliasRejectDto, AliasRequestDto, AliasStatusResponseDto } from './dto/alias.dto.js';
import { ApprovalCreatedResponseDto } from './dto/approval-request.dto.js';
import { ApprovalResponseDto } from './dto/approval.dto.js';
import { ApproveRequestDto } from './dto/decide.dto.js';
import { ApprovalIdParams } from './dto/fields.js';

/**
 * The original agent-platform vocabulary, for agents written against it: thin aliases over the same
 * services (a run/phase request is a `manual` approval whose subject is `run_id/phase_id`).
 */
@ApiTags('approvals')
@ApiBearerAuth()
@Controller('api/governance/approval')
export class ApprovalAliasController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly decisions: ApprovalDecisionsService,
  ) {}

  @Post('request')
  @HttpCode(202)
  @RequireRole('engine')
  @ApiOperation({ summary: 'Original vocabulary: request approval for a run phase' })
  @ApiResponse({ status: 202, type: ApprovalCreatedResponseDto })
  request(@CurrentPrincipal() p: Principal, @Body() body: AliasRequestDto): Promise<ApprovalCreatedResponseDto> {
    return this.approvals.request(p, {
      kind: 'manual',
      subject: `${body.run_id}/${body.phase_id}`,
      payload: body.payload(),
      reason: body.reason ?? body.context!,
      riskLevel: body.risk_level as RiskLevel | undefined,
      timeoutSeconds: body.timeout_seconds,
    });
  }

  @Get('status/:id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Original vocabulary: pending | approved | rejected | timeout (expired) | cancelled' })
  @ApiResponse({ status: 200, type: AliasStatusResponseDto })
  @ApiErrors({ approval_not_found: 404 })
  status(@Param() params: ApprovalIdParams): Promise<AliasStatusResponseDto> {
    return this.approvals.statusAlias(params.id);
  }

  @Get('pending')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Original vocabulary: the pending, unexpired requests' })
  @ApiResponse({ status: 200, type: AliasPendingResponseDto })
  pending(): Promise<AliasPendingResponseDto> {
    return this.approvals.pendingAlias();
  }

  @Post('approve/:id')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Original vocabulary: approve' })
  @ApiResponse({ status: 200, type: ApprovalResponseDto })
  @ApiErrors({ approval_not_found: 404, approval_not_pending: 409, approval_expired: 409 })
  approve(@CurrentPrincipal() p: Principal, @Param() params: ApprovalIdParams, @Body() body: ApproveRequestDto = {}): Promise<ApprovalResponseDto> {
    return this.decisions.approve(p, params.id, body?.reason);
  }

  @Post('reject/:id')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Original vocabulary: reject (the reason is optional here; "no reason given" is recorded)' })
  @ApiResponse({ status: 200, type: ApprovalResponseDto })
  @ApiErrors({ approval_not_found: 404, approval_not_pending: 409, approval_expired: 409 })
  reject(@CurrentPrincipal() p: Principal, @Param() params: ApprovalIdParams, @Body() body: AliasRejectDto = {}): Promise<ApprovalResponseDto> {
    return this.decisions.reject(p, params.id, body?.reason || 'no reason given');
  }
}
