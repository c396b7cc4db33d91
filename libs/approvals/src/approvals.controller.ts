import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, idempotencyKey, type Principal, RequireRole } from '#platform';
import { ApprovalsErrors } from './approvals.errors.js';
import { ApprovalDecisionsService } from './approval-decisions.service.js';
import { ApprovalsService } from './approvals.service.js';
import type { ApprovalKind, RiskLevel } from './decide/rules.js';
import { ApprovalCreatedResponseDto, CreateApprovalRequestDto } from './dto/approval-request.dto.js';
import { ApprovalPageDto, ApprovalResponseDto, ListApprovalsQueryDto } from './dto/approval.dto.js';
import { ApproveRequestDto, CancelRequestDto, ConsumeRequestDto, RejectRequestDto } from './dto/decide.dto.js';
import { ApprovalIdParams } from './dto/fields.js';

@ApiTags('approvals')
@ApiBearerAuth()
@Controller('api/governance/approvals')
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly decisions: ApprovalDecisionsService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole('engine')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Alternative to correlation_id in the body' })
  @ApiOperation({ summary: 'File an approval request (the caller is the requester and may not decide it)' })
  @ApiResponse({ status: 202, type: ApprovalCreatedResponseDto })
  @ApiErrors({ validation_failed: 400, ...ApprovalsErrors.pick('invalid_expiry', 'idempotency_conflict', 'too_many_pending_approvals') })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateApprovalRequestDto, @Headers('idempotency-key') key?: string): Promise<ApprovalCreatedResponseDto> {
    return this.approvals.request(p, {
      kind: body.kind as ApprovalKind,
      subject: body.subject,
      payload: body.payload,
      reason: body.reason,
      riskLevel: body.risk_level as RiskLevel | undefined,
      minApprovals: body.min_approvals,
      timeoutSeconds: body.timeout_seconds,
      correlationId: idempotencyKey(body.correlation_id, key),
    });
  }

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Approval requests, newest first, by status (as seen now), kind and subject; cursor paging; ?include=decisions adds each one\'s decisions' })
  @ApiResponse({ status: 200, type: ApprovalPageDto })
  list(@Query() q: ListApprovalsQueryDto): Promise<ApprovalPageDto> {
    return this.approvals.list({ status: q.status, kind: q.kind as ApprovalKind | undefined, subject: q.subject, before: q.before, since: q.since, until: q.until, limit: q.limit ?? 100 }, q.include);
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One approval request with every decision' })
  @ApiResponse({ status: 200, type: ApprovalResponseDto })
  @ApiErrors({ validation_failed: 400, ...ApprovalsErrors.pick('approval_not_found') })
  get(@Param() params: ApprovalIdParams): Promise<ApprovalResponseDto> {
    return this.approvals.get(params.id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Approve (another principal than the requester; each approver counts once)' })
  @ApiResponse({ status: 200, type: ApprovalResponseDto })
  @ApiErrors({
    validation_failed: 400,
    ...ApprovalsErrors.pick('approval_not_found', 'self_decision_forbidden', 'approver_role_not_allowed', 'approval_not_pending', 'approval_expired', 'already_decided_by_approver'),
  })
  approve(@CurrentPrincipal() p: Principal, @Param() params: ApprovalIdParams, @Body() body: ApproveRequestDto = {}): Promise<ApprovalResponseDto> {
    return this.decisions.approve(p, params.id, body?.reason);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Reject (reason required): one rejection rejects' })
  @ApiResponse({ status: 200, type: ApprovalResponseDto })
  @ApiErrors({
    validation_failed: 400,
    ...ApprovalsErrors.pick('approval_not_found', 'self_decision_forbidden', 'approver_role_not_allowed', 'approval_not_pending', 'approval_expired', 'already_decided_by_approver'),
  })
  reject(@CurrentPrincipal() p: Principal, @Param() params: ApprovalIdParams, @Body() body: RejectRequestDto): Promise<ApprovalResponseDto> {
    return this.decisions.reject(p, params.id, body?.reason);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireRole('engine')
  @ApiOperation({ summary: 'Withdraw a pending request (its requester only)' })
  @ApiResponse({ status: 200, type: ApprovalResponseDto })
  @ApiErrors({ validation_failed: 400, ...ApprovalsErrors.pick('approval_not_found', 'not_requester', 'approval_not_pending', 'approval_expired') })
  cancel(@CurrentPrincipal() p: Principal, @Param() params: ApprovalIdParams, @Body() body: CancelRequestDto = {}): Promise<ApprovalResponseDto> {
    return this.decisions.cancel(p, params.id, body?.reason);
  }

  @Post(':id/consume')
  @HttpCode(200)
  @RequireRole('engine')
  @ApiOperation({ summary: 'Consume an approved grant once (its requester, with the kind and payload digest it was granted for)' })
  @ApiResponse({ status: 200, type: ApprovalResponseDto })
  @ApiErrors({ validation_failed: 400, ...ApprovalsErrors.pick('approval_not_found', 'not_requester', 'grant_not_consumable') })
  consume(@CurrentPrincipal() p: Principal, @Param() params: ApprovalIdParams, @Body() body: ConsumeRequestDto): Promise<ApprovalResponseDto> {
    return this.approvals.consumeAsRequester(p, params.id, body.kind as ApprovalKind, body.payload_digest);
  }
}
