import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors } from '../http/api-docs.js';
import { OutboxDeliveryDto, OutboxDeliveryIdParams, OutboxDestinationsDto, OutboxPageDto, OutboxQueryDto, ReplayDeliveryRequestDto } from './dto/outbox.dto.js';
import { OutboxDeliveriesService } from './outbox-deliveries.service.js';
import { OutboxErrors } from './outbox.errors.js';

@ApiTags('outbox')
@Controller('api/governance/outbox')
export class OutboxController {
  constructor(private readonly deliveries: OutboxDeliveriesService) {}

  @Get()
  @RequireRole('operator')
  @ApiOperation({ summary: 'Webhook deliveries (one per notification and destination), newest first; ?status=dead lists the dead letters, ?status=failing the pending ones that failed already, ?destination= one destination; page with ?before=<next_cursor>' })
  @ApiOkResponse({ type: OutboxPageDto })
  @ApiErrors({ validation_failed: 400 })
  list(@Query() query: OutboxQueryDto): Promise<OutboxPageDto> {
    return this.deliveries.list(query);
  }

  @Get('destinations')
  @RequireRole('operator')
  @ApiOperation({ summary: 'Per destination: deliveries pending, failing and dead, the oldest pending and the newest error' })
  @ApiOkResponse({ type: OutboxDestinationsDto })
  destinations(): Promise<OutboxDestinationsDto> {
    return this.deliveries.destinations();
  }

  @Post(':id/replay')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Sends a dead-lettered delivery again (fresh attempts), audited as outbox.replay' })
  @ApiOkResponse({ type: OutboxDeliveryDto })
  @ApiErrors({ validation_failed: 400, ...OutboxErrors.table })
  replay(@CurrentPrincipal() principal: Principal, @Param() params: OutboxDeliveryIdParams, @Body() body: ReplayDeliveryRequestDto): Promise<OutboxDeliveryDto> {
    return this.deliveries.replay(principal, params.id, body?.reason);
  }
}
