import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators.js';
import { ApiErrors } from '../http/api-docs.js';
import { AuditService } from './audit.service.js';
import { AuditPageDto, AuditQueryDto } from './dto/audit.dto.js';

@ApiTags('audit')
@Controller('api/governance/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireRole('operator')
  @ApiOperation({ summary: 'The audit trail, newest first, each row with the principal and its token id; page with ?before=<next_cursor>, filter with ?since=&until=' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiErrors({ validation_failed: 400, invalid_string: 400 })
  list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.list(query);
  }
}
