import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ExecutionClass, RequireRole } from '#platform';
import { GatePolicySimulateService } from './gate-policy-simulate.service.js';
import { gateErrors } from './gate.errors.js';
import { PolicyNameParams } from './dto/policy.dto.js';
import { SimulatePolicyDto, SimulatePolicyResponseDto } from './dto/simulate.dto.js';

/** What a candidate policy would change, before anyone activates it. */
@ApiTags('gate')
@Controller('api/governance/gate')
export class GateSimulateController {
  constructor(private readonly simulations: GatePolicySimulateService) {}

  @Post('policies/:name/simulate')
  @HttpCode(200)
  @RequireRole('operator')
  @ExecutionClass('SANDBOX')
  @ApiOperation({ summary: 'Replay the newest N decisions of this policy under a candidate version (stored digest or YAML) and under the active one; report the verdict changes. Writes nothing' })
  @ApiOkResponse({ type: SimulatePolicyResponseDto })
  @ApiErrors(gateErrors('invalid_policy', 'policy_not_found', 'policy_version_not_found'))
  simulate(@Param() params: PolicyNameParams, @Body() body: SimulatePolicyDto): Promise<SimulatePolicyResponseDto> {
    return this.simulations.simulate(params.name, body);
  }
}
