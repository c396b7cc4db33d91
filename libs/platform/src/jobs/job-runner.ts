import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { WardenConfig } from '../config/warden-config.js';
import { sqlOne, sqlRows } from '../database/sql.js';
import { logFailure } from '../errors/database-errors.js';
import { newRunId, runWithLogBindings } from '../logging/pino-logger.js';
import { dueBoundaries, type JobSchedule } from './schedule.js';

export interface JobContext {
  /** The boundary this run is for, e.g. the midnight that closed a day. */
  boundary: Date;
  /** The boundary before it: [previous, boundary) is the period that just ended. */
  previous: Date;
  /** The transaction that also records this run: effects written through it commit exactly once. */
  manager: EntityManager;
}

export interface JobDefinition {
  name: string;
  schedule: JobSchedule;
  /** How many missed periods to run at start (oldest first); 1 = only the latest. */
  maxCatchUp?: number;
  run(ctx: JobContext): Promise<Record<string, unknown> | void>;
}

export interface JobOutcome {
  job: string;
  boundary: string;
  status: 'succeeded' | 'failed' | 'skipped_locked' | 'already_done';
  result?: Record<string, unknown> | void;
  error?: string;
}

/**
 * Runs each registered job once per period across all instances: a transaction-scoped advisory lock
 * per job keeps two instances from running it together, and the `succeeded` row — written in the
 * same transaction as the job's effects — keeps a period from running twice. A period missed while
 * no instance was up is run at the next start.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('jobs');
  private readonly jobs = new Map<string, JobDefinition>();
  private readonly instanceId = randomUUID();
  private ticking?: Promise<JobOutcome[]>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: WardenConfig,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  register(job: JobDefinition): void {
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} registered twice`);
    this.jobs.set(job.name, job);
  }

  registered(): Array<{ name: string; schedule: string }> {
    return [...this.jobs.values()].map((j) => ({ name: j.name, schedule: j.schedule.describe }));
  }

  /**
   * When each registered job last finished a period successfully (on any instance), or null if it
   * never has. One query, an index scan per job (ix_job_run_job_period): cheap enough per scrape.
   */
  async lastSuccesses(): Promise<Array<{ job: string; finishedAt: Date | null }>> {
    const names = [...this.jobs.keys()];
    if (names.length === 0) return [];
    const rows = await sqlRows<{ job: string; finished_at: Date | null }>(
      this.dataSource,
      `SELECT j.name AS job, r.finished_at
       FROM unnest($1::text[]) AS j(name)
       LEFT JOIN LATERAL (
         SELECT finished_at FROM job_run WHERE job_name = j.name AND status = 'succeeded' ORDER BY period_at DESC LIMIT 1
       ) r ON true`,
      [names],
    );
    return rows.map((r) => ({ job: r.job, finishedAt: r.finished_at }));
  }

  /**
   * Each registered job's latest attempt (by period, then attempt), whatever its status: the review's
   * "a job whose last run failed". An index scan per job (ix_job_run_job_period).
   */
  async lastRuns(): Promise<Array<{ job: string; status: 'succeeded' | 'failed' | null; periodAt: Date | null; error: string | null }>> {
    const names = [...this.jobs.keys()];
    if (names.length === 0) return [];
    const rows = await sqlRows<{ job: string; status: 'succeeded' | 'failed' | null; period_at: Date | null; error: string | null }>(
      this.dataSource,
      `SELECT j.name AS job, r.status, r.period_at, r.error
       FROM unnest($1::text[]) AS j(name)
       LEFT JOIN LATERAL (
         SELECT status, period_at, error FROM job_run WHERE job_name = j.name ORDER BY period_at DESC, id DESC LIMIT 1
       ) r ON true
       ORDER BY j.name`,
      [names],
    );
    return rows.map((r) => ({ job: r.job, status: r.status, periodAt: r.period_at, error: r.error }));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.JOBS_ENABLED) return;
    await this.tick();
    const timer = setInterval(() => void this.tick(), this.config.JOB_TICK_MS);
    timer.unref();
    this.scheduler.addInterval('warden-job-runner', timer);
  }

  beforeApplicationShutdown(): Promise<unknown> | void {
    this.stopped = true;
    if (this.scheduler.doesExist('interval', 'warden-job-runner')) this.scheduler.deleteInterval('warden-job-runner');
    return this.ticking;
  }

  /** Runs every due period of every job (one tick at a time per instance). */
  tick(): Promise<JobOutcome[]> {
    this.ticking ??= this.runDue().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async runDue(): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    for (const job of this.jobs.values()) {
      if (this.stopped) break;
      try {
        outcomes.push(...(await this.runJob(job)));
      } catch (err) {
        this.logger.error(`job ${job.name} could not be scheduled: ${String(err)}`);
      }
    }
    return outcomes;
  }

  /** Runs the due periods of one job; exposed so tests and the CLI can drive a job directly. */
  async runJob(job: JobDefinition | string): Promise<JobOutcome[]> {
    const def = typeof job === 'string' ? this.jobs.get(job) : job;
    if (!def) throw new Error(`unknown job ${String(job)}`);
    const last = await sqlOne<{ period_at: Date }>(
      this.dataSource,
      `SELECT max(period_at) AS period_at FROM job_run WHERE job_name = $1 AND status = 'succeeded'`,
      [def.name],
    );
    const due = dueBoundaries(def.schedule, this.clock.now(), last?.period_at ?? null, def.maxCatchUp ?? 1);
    const outcomes: JobOutcome[] = [];
    for (const boundary of due) outcomes.push(await this.runPeriod(def, boundary));
    return outcomes;
  }

  /** Each run has its own id (`job_run`) on every line it logs, as a request has its request id. */
  private runPeriod(job: JobDefinition, boundary: Date): Promise<JobOutcome> {
    return runWithLogBindings({ job: job.name, job_run: newRunId() }, () => this.runPeriodInContext(job, boundary));
  }

  private async runPeriodInContext(job: JobDefinition, boundary: Date): Promise<JobOutcome> {
    const startedAt = new Date();
    const previous = new Date(boundary.getTime() - job.schedule.periodMs);
    const base = { job: job.name, boundary: boundary.toISOString() };
    try {
      return await this.dataSource.transaction(async (manager) => {
        const [{ locked }] = await sqlRows<{ locked: boolean }>(manager, `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [
          `warden_job:${job.name}`,
        ]);
        if (!locked) return { ...base, status: 'skipped_locked' as const };
        const done = await sqlOne(manager, `SELECT 1 FROM job_run WHERE job_name = $1 AND period_at = $2 AND status = 'succeeded'`, [
          job.name,
          boundary,
        ]);
        if (done) return { ...base, status: 'already_done' as const };
        const result = await job.run({ boundary, previous, manager });
        await manager.query(
          `INSERT INTO job_run (job_name, period_at, status, started_at, finished_at, instance_id, result)
           VALUES ($1, $2, 'succeeded', $3, now(), $4, $5)`,
          [job.name, boundary, startedAt, this.instanceId, result ?? null],
        );
        this.logger.log(`job ${job.name} ran for ${boundary.toISOString()}`);
        return { ...base, status: 'succeeded' as const, result };
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logFailure(this.logger, err, `job ${job.name} failed for ${boundary.toISOString()}: ${message}`);
      await this.dataSource
        .query(
          `INSERT INTO job_run (job_name, period_at, status, started_at, finished_at, instance_id, error) VALUES ($1, $2, 'failed', $3, now(), $4, $5)`,
          [job.name, boundary, startedAt, this.instanceId, message],
        )
        .catch(() => undefined);
      return { ...base, status: 'failed', error: message };
    }
  }
}
