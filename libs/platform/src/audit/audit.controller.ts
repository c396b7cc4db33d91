import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators.js';
import { ApiErrors } from '../http/api-docs.js';
import { AuditChainService } from './audit-chain.service.js';
import { AuditService } from './audit.service.js';
import { ChainHeadsDto, VerifyReportDto } from './dto/audit-chain.dto.js';
import { AuditPageDto, AuditQueryDto } from './dto/audit.dto.js';

@ApiTags('audit')
@Controller('api/governance/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly chain: AuditChainService,
  ) {}

  @Get()
  @RequireRole('operator')
  @ApiOperation({ summary: 'The audit trail, newest first: who (principal, principal_token_id), what (action, subject), before/after (details); filter by subject, action, principal, principal_token_id and [since, until); page with ?before=<next_cursor>' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiErrors({ validation_failed: 400, invalid_string: 400 })
  list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.list(query);
  }

  @Get('verify')
  @RequireRole('operator')
  @ApiOperation({ summary: 'Walks every hash chain (audit trail and decision logs) and compares the state tables with their journal; names the first broken link of each chain (docs/audit.md)' })
  @ApiOkResponse({ type: VerifyReportDto })
  verify(): Promise<VerifyReportDto> {
    return this.chain.verify();
  }

  @Get('heads')
  @RequireRole('operator')
  @ApiOperation({ summary: "Each chain's head {log, rows, head_hash}: the checkpoint to publish" })
  @ApiOkResponse({ type: ChainHeadsDto })
  async heads(): Promise<ChainHeadsDto> {
    return { heads: await this.chain.heads() };
  }
}
