import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Trial } from '#heimdall';
import { ApiErrors, CurrentPrincipal, ExecutionClass, type Principal, RequireRole } from '#platform';
import { OfferResponseDto, OfferTrialRequestDto, SendOfferRequestDto } from './offer.dto.js';
import { OfferErrors } from './offers.errors.js';
import { OffersService } from './offers.service.js';

@ApiTags('offers (example AI engine)')
@Controller('api/offers')
export class OffersController {
  constructor(private readonly offers: OffersService) {}

  @Get()
  @ExecutionClass('READ')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Offers sent' })
  @ApiOkResponse({ type: [OfferResponseDto] })
  list(): Promise<OfferResponseDto[]> {
    return this.offers.list();
  }

  @Post('trial')
  @ExecutionClass('SANDBOX')
  @RequireRole('engine')
  @ApiOperation({ summary: 'Record how a recommended offer fared in the sandbox (a Heimdall trial on WHOLESALE_OFFER)' })
  @ApiCreatedResponse({ description: 'The Heimdall trial recorded (Heimdall\'s trial answer)' })
  trial(@CurrentPrincipal() principal: Principal, @Body() body: OfferTrialRequestDto): Promise<Trial> {
    return this.offers.trial(principal, body);
  }

  @Post()
  @ExecutionClass('PROD_EXEC')
  @RequireRole('engine')
  @ApiOperation({ summary: 'Send a recommended offer (production): only if Heimdall finds WHOLESALE_OFFER eligible now' })
  @ApiCreatedResponse({ type: OfferResponseDto })
  @ApiResponse({ status: 403, description: 'heimdall_gate_failed with the gate reason, or kill_switch_engaged' })
  @ApiErrors(OfferErrors.table)
  send(@CurrentPrincipal() principal: Principal, @Body() body: SendOfferRequestDto): Promise<OfferResponseDto> {
    return this.offers.send(principal, body);
  }
}
