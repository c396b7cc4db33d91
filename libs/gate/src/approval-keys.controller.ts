import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, ExecutionClass, type Principal, RequireRole } from '#platform';
import { ApprovalKeysService } from './approval-keys.service.js';
import { ApprovalKeyDto, ApprovalKeyIdParams, ApprovalKeyListDto, RegisterApprovalKeyDto, RevokeApprovalKeyDto } from './dto/approval-keys.dto.js';
import { gateErrors } from './gate.errors.js';

/** The gait approval keys (docs/gate.md): a key signs approvals, so only an admin registers or revokes one. */
@ApiTags('gate')
@Controller('api/governance/gate/approval-keys')
export class ApprovalKeysController {
  constructor(private readonly keys: ApprovalKeysService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The registered gait approval keys, revoked ones included' })
  @ApiOkResponse({ type: ApprovalKeyListDto })
  async list(): Promise<ApprovalKeyListDto> {
    return { items: await this.keys.list() };
  }

  @Post()
  @HttpCode(201)
  @RequireRole('admin')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Register a gait ed25519 public key: tokens it signs (`warden approve`, `gait approve`) release a require_approval once (audited)' })
  @ApiResponse({ status: 201, type: ApprovalKeyDto })
  @ApiErrors({ validation_failed: 400, ...gateErrors('approval_key_invalid', 'approval_key_exists') })
  register(@CurrentPrincipal() p: Principal, @Body() body: RegisterApprovalKeyDto): Promise<ApprovalKeyDto> {
    return this.keys.register(p, body);
  }

  @Post(':key_id/revoke')
  @HttpCode(200)
  @RequireRole('admin')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Revoke a key: tokens it signed no longer approve (audited; a revoked key is never re-armed)' })
  @ApiOkResponse({ type: ApprovalKeyDto })
  @ApiErrors({ validation_failed: 400, ...gateErrors('approval_key_not_found') })
  revoke(@CurrentPrincipal() p: Principal, @Param() params: ApprovalKeyIdParams, @Body() body: RevokeApprovalKeyDto): Promise<ApprovalKeyDto> {
    return this.keys.revoke(p, params.key_id, body.reason);
  }
}
