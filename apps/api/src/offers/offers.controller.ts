import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HeimdallErrors, TrialResponseDto } from '#heimdall';
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
  @ApiCreatedResponse({ type: TrialResponseDto, description: "The Heimdall trial recorded (Heimdall's trial answer)" })
  @ApiErrors({ validation_failed: 400, ...HeimdallErrors.pick('unknown_domain', 'idempotency_conflict') })
  trial(@CurrentPrincipal() principal: Principal, @Body() body: OfferTrialRequestDto): Promise<TrialResponseDto> {
    return this.offers.trial(principal, body);
  }

  @Post()
  @ExecutionClass('PROD_EXEC')
  @RequireRole('engine')
  @ApiOperation({ summary: 'Send a recommended offer (production): only if Heimdall finds WHOLESALE_OFFER eligible now' })
  @ApiCreatedResponse({ type: OfferResponseDto })
  @ApiErrors({
    validation_failed: 400,
    ...OfferErrors.table,
    // Heimdall's refusals pass through as Heimdall answers them: the gate reason in details.
    ...HeimdallErrors.pick('unknown_domain', 'heimdall_gate_failed', 'kill_switch_engaged'),
  })
  send(@CurrentPrincipal() principal: Principal, @Body() body: SendOfferRequestDto): Promise<OfferResponseDto> {
    return this.offers.send(principal, body);
  }
}
