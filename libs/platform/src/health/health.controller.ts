import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators.js';
import { DatabaseGate } from '../database/database-gate.js';
import { PlatformErrorCode, WardenError } from '../errors/warden-error.js';
import { ApiErrors } from '../http/api-docs.js';

/** Terminus' health answer, as it is sent. */
export class HealthResponseDto {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { database: { status: 'up' } } }) info?: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) error?: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { database: { status: 'up' } } }) details: Record<string, unknown>;
}

/** How long /health waits for `SELECT 1` before it calls the database down. */
const PROBE_TIMEOUT_MS = 1500;

@ApiTags('platform')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly gate: DatabaseGate,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * 200 `{status:'ok', info:{database:{status:'up'}}, error:{}, details:{...}}` (terminus' shape), or
   * 503 in Warden's one error shape: `{statusCode:503, error:'governance_unavailable', message,
   * reason_codes:['governance_unavailable'], details:{database:'down'}}` (docs/failure-modes.md).
   */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and database reachability (503 governance_unavailable when the database is down)' })
  @ApiOkResponse({ type: HealthResponseDto, description: "{status:'ok', info:{database:{status:'up'}}, error:{}, details:{database:{status:'up'}}}" })
  @ApiErrors({ [PlatformErrorCode.GovernanceUnavailable]: 503 })
  async check(): Promise<HealthResponseDto> {
    try {
      if (this.gate.down) throw new Error('database known down');
      return await this.health.check([
        () =>
          this.indicators
            .check('database')
            .attempt(async () => {
              await this.dataSource.query('SELECT 1');
            })
            .withTimeout(PROBE_TIMEOUT_MS),
      ]);
    } catch {
      throw new WardenError(PlatformErrorCode.GovernanceUnavailable, HttpStatus.SERVICE_UNAVAILABLE, 'the database cannot be reached: failing closed', {
        reasonCodes: [PlatformErrorCode.GovernanceUnavailable],
        details: { database: 'down' },
      });
    }
  }
}
