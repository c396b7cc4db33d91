import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobRunner } from '../jobs/job-runner.js';
import { MetricsService } from './metrics.service.js';

/** The platform's own state gauge: when each scheduled job last succeeded (on any instance). */
@Injectable()
export class PlatformMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly jobs: JobRunner,
  ) {}

  onModuleInit(): void {
    this.metrics.registerStateGauge({
      name: 'warden_job_last_success_timestamp_seconds',
      help: 'Unix time at which each scheduled job last finished a period successfully on any instance; 0 = never',
      labelNames: ['job'],
      read: async () =>
        (await this.jobs.lastSuccesses()).map(({ job, finishedAt }) => ({
          labels: { job },
          value: finishedAt ? finishedAt.getTime() / 1000 : 0,
        })),
    });
  }
}
