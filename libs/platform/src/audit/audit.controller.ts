import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { RequireRole } from '../auth/auth.decorators.js';
import { IntegerField } from '../http/validation.js';
import { AuditService } from './audit.service.js';

export class AuditQueryDto {
  @IsOptional() @IsString() subject?: string;
  @IsOptional() @IsString() action?: string;
  /** Only what this token did (a token id from /api/governance/tokens, or `system`). */
  @IsOptional() @IsString() @MaxLength(64) principal_token_id?: string;
  @IsOptional() @Matches(/^[0-9]{1,18}$/) before?: string;
  @IntegerField('Page size', { min: 1, max: 500, optional: true, example: 100 }) limit?: number;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/governance/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireRole('operator')
  @ApiOperation({ summary: 'The audit trail, newest first, each row with the principal and its token id; page with ?before=<next_cursor>' })
  list(@Query() query: AuditQueryDto) {
    return this.audit.list({ ...query, limit: query.limit ?? 100 });
  }
}
