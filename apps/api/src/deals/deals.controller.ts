import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, ExecutionClass, type Principal, RequireRole } from '#platform';
import { CreateDealRequestDto, DealResponseDto } from './deal.dto.js';
import { DealsService } from './deals.service.js';

@ApiTags('deals (example engine)')
@ApiBearerAuth()
@Controller('api/deals')
export class DealsController {
  constructor(private readonly deals: DealsService) {}

  @Get()
  @ExecutionClass('READ')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Recent deals' })
  async list(): Promise<DealResponseDto[]> {
    return (await this.deals.list()).map(DealResponseDto.from);
  }

  @Post()
  @ExecutionClass('PROD_EXEC')
  @RequireRole('engine')
  @ApiOperation({ summary: 'Book a deal (production execution)' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateDealRequestDto): Promise<DealResponseDto> {
    return DealResponseDto.from(await this.deals.create(principal, body));
  }
}
