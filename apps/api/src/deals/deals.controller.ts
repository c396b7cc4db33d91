import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, ExecutionClass, type Principal, RequireRole } from '#platform';
import { RiskErrors } from '#risk-guard';
import { CreateDealRequestDto, DealResponseDto } from './deal.dto.js';
import { DealsService } from './deals.service.js';

@ApiTags('deals (example engine)')
@Controller('api/deals')
export class DealsController {
  constructor(private readonly deals: DealsService) {}

  @Get()
  @ExecutionClass('READ')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Recent deals' })
  @ApiOkResponse({ type: [DealResponseDto] })
  list(): Promise<DealResponseDto[]> {
    return this.deals.list();
  }

  @Post()
  @ExecutionClass('PROD_EXEC')
  @RequireRole('engine')
  @ApiOperation({ summary: 'Book a deal (production execution): reserved on the WHOLESALE risk budget, then settled' })
  @ApiCreatedResponse({ type: DealResponseDto })
  @ApiErrors(RiskErrors.pick('validation_failed', 'risk_denied', 'engine_not_bound', 'idempotency_conflict', 'loss_exceeds_reservation', 'governance_unavailable'))
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateDealRequestDto): Promise<DealResponseDto> {
    return this.deals.create(principal, body);
  }
}
