import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiExtraModels, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, RequireRole } from '#platform';
import {
  AttestRequestDto,
  ChecklistItemDto,
  ChecklistResponseDto,
  EnableGoLiveRequestDto,
  GoLiveChangeRequestDto,
  GoLiveStateResponseDto,
} from './dto/go-live.dto.js';
import { GoLiveService } from './go-live.service.js';

@ApiTags('go-live')
@ApiBearerAuth()
@ApiExtraModels(ChecklistItemDto)
@ApiConsumes('application/json', 'application/x-www-form-urlencoded')
@Controller('api/governance/go-live')
export class GoLiveController {
  constructor(private readonly goLive: GoLiveService) {}

  @Get('state')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The control-plane row' })
  state(): Promise<GoLiveStateResponseDto> {
    return this.goLive.state();
  }

  @Get('checklist')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Readiness checklist: computed items and operator attestations' })
  checklist(): Promise<ChecklistResponseDto> {
    return this.goLive.checklist();
  }

  @Put('checklist/:item')
  @RequireRole('operator')
  @ApiParam({ name: 'item', example: 'runbook_reviewed' })
  @ApiOperation({ summary: 'Attest (or withdraw) an operator checklist item' })
  attest(@CurrentPrincipal() p: Principal, @Param('item') item: string, @Body() body: AttestRequestDto): Promise<ChecklistResponseDto> {
    return this.goLive.attest(p, item, body);
  }

  @Post('enable')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Enable go-live (412 checklist_failed with the checklist when it is not complete)' })
  @ApiResponse({ status: 412, description: 'checklist_failed' })
  enable(@CurrentPrincipal() p: Principal, @Body() body: EnableGoLiveRequestDto): Promise<GoLiveStateResponseDto> {
    return this.goLive.enable(p, body);
  }

  @Post('disable')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Disable go-live (reason required)' })
  disable(@CurrentPrincipal() p: Principal, @Body() body: GoLiveChangeRequestDto): Promise<GoLiveStateResponseDto> {
    return this.goLive.disable(p, body);
  }

  @Post('kill-switch/engage')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Engage the kill switch: every PROD_EXEC request is refused, in every environment' })
  engage(@CurrentPrincipal() p: Principal, @Body() body: GoLiveChangeRequestDto): Promise<GoLiveStateResponseDto> {
    return this.goLive.engageKillSwitch(p, body);
  }

  @Post('kill-switch/release')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Release the kill switch' })
  release(@CurrentPrincipal() p: Principal, @Body() body: GoLiveChangeRequestDto): Promise<GoLiveStateResponseDto> {
    return this.goLive.releaseKillSwitch(p, body);
  }
}
