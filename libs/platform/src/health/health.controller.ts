import { Controller, Get, HttpStatus } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators.js';
import { WardenConfig } from '../config/warden-config.js';
import { DatabaseGate } from '../database/database-gate.js';
import { PlatformErrorCode, WardenError } from '../errors/warden-error.js';
import { ApiErrors } from '../http/api-docs.js';
import { JobRunner } from '../jobs/job-runner.js';

/** Terminus' health answer, as it is sent. */
export class HealthResponseDto {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { database: { status: 'up' } } }) info?: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) error?: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { database: { status: 'up' } } }) details: Record<string, unknown>;
}

/** The liveness answer: the process serves HTTP, whatever its dependencies do. */
export class LivenessResponseDto {
  @ApiProperty({ example: 'ok' }) status: 'ok';
}

/** How long /health and /readyz wait for `SELECT 1` before they call the database down. */
const PROBE_TIMEOUT_MS = 1500;

/** The interval JobRunner registers at start and deletes at shutdown (jobs/job-runner.ts). */
const JOB_RUNNER_INTERVAL = 'warden-job-runner';

/**
 * Three probes. `/livez` (liveness: restart me if this fails) touches nothing but the event loop, so
 * a database outage never restarts healthy processes; `/readyz` (readiness: send me traffic) needs
 * the database and, where this instance runs jobs, the job runner; `/health` is the original
 * stack's combined check, kept as it was because scripts call it.
 */
@ApiTags('platform')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly gate: DatabaseGate,
    private readonly config: WardenConfig,
    private readonly jobs: JobRunner,
    private readonly scheduler: SchedulerRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * 200 `{status:'ok', info:{database:{status:'up'}}, error:{}, details:{...}}` (terminus' shape), or
   * 503 in Warden's one error shape: `{statusCode:503, error:'governance_unavailable', message,
   * reason_codes:['governance_unavailable'], details:{database:'down'}}` (docs/failure-modes.md).
   */
  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness and database reachability (503 governance_unavailable when the database is down)' })
  @ApiOkResponse({ type: HealthResponseDto, description: "{status:'ok', info:{database:{status:'up'}}, error:{}, details:{database:{status:'up'}}}" })
  @ApiErrors({ [PlatformErrorCode.GovernanceUnavailable]: 503 })
  async check(): Promise<HealthResponseDto> {
    try {
      if (this.gate.down) throw new Error('database known down');
      return await this.health.check([this.databaseIndicator]);
    } catch {
      throw new WardenError(PlatformErrorCode.GovernanceUnavailable, HttpStatus.SERVICE_UNAVAILABLE, 'the database cannot be reached: failing closed', {
        reasonCodes: [PlatformErrorCode.GovernanceUnavailable],
        details: { database: 'down' },
      });
    }
  }

  /** 200 `{status:'ok'}` while the process answers HTTP; no database, no lock, no I/O. */
  @Get('livez')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process answers (no database); the container healthcheck' })
  @ApiOkResponse({ type: LivenessResponseDto, description: "{status:'ok'}" })
  live(): LivenessResponseDto {
    return { status: 'ok' };
  }

  /**
   * 200 in terminus' shape with `database` and `jobs` up, or 503 `governance_unavailable` with
   * `details:{database:'up'|'down', jobs:'running'|'disabled'|'stopped'}`. Jobs count as up where
   * this instance was configured not to run them (JOBS_ENABLED=0).
   */
  @Get('readyz')
  @Public()
  @ApiOperation({ summary: 'Readiness: the database answers within the bound and the job runner runs (503 otherwise)' })
  @ApiOkResponse({
    type: HealthResponseDto,
    description: "{status:'ok', info:{database:{status:'up'}, jobs:{status:'up', state:'running', registered:N}}, error:{}, details:{...}}",
  })
  @ApiErrors({ [PlatformErrorCode.GovernanceUnavailable]: 503 })
  async ready(): Promise<HealthResponseDto> {
    const jobs = this.jobState();
    const [database] = await Promise.allSettled([this.gate.down ? Promise.reject(new Error('known down')) : this.health.check([this.databaseIndicator])]);
    if (database.status === 'fulfilled' && jobs !== 'stopped') {
      const up = { status: 'up', state: jobs, registered: this.jobs.registered().length };
      return { ...database.value, info: { ...database.value.info, jobs: up }, details: { ...database.value.details, jobs: up } };
    }
    const details = { database: database.status === 'fulfilled' ? 'up' : 'down', jobs };
    const message = database.status === 'fulfilled' ? 'the job runner is not running: not ready' : 'the database cannot be reached: not ready';
    throw new WardenError(PlatformErrorCode.GovernanceUnavailable, HttpStatus.SERVICE_UNAVAILABLE, message, {
      reasonCodes: [PlatformErrorCode.GovernanceUnavailable],
      details,
    });
  }

  private readonly databaseIndicator = () =>
    this.indicators
      .check('database')
      .attempt(async () => {
        await this.dataSource.query('SELECT 1');
      })
      .withTimeout(PROBE_TIMEOUT_MS);

  /** The runner's interval is registered once its first tick at start finished, and removed at shutdown. */
  private jobState(): 'running' | 'disabled' | 'stopped' {
    if (!this.config.JOBS_ENABLED) return 'disabled';
    const running = this.scheduler.doesExist('interval', JOB_RUNNER_INTERVAL) && this.jobs.registered().length > 0;
    return running ? 'running' : 'stopped';
  }
}
