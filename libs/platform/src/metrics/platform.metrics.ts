import { Injectable } from '@nestjs/common';
import { JobRunner } from '../jobs/job-runner.js';
import { StateGauge } from '../lever/contributions.js';
import type { GaugeSample } from './metrics.service.js';

/** The platform's own state gauge: when each scheduled job last succeeded (on any instance). */
@Injectable()
export class PlatformMetrics {
  constructor(private readonly jobs: JobRunner) {}

  @StateGauge({
    name: 'warden_job_last_success_timestamp_seconds',
    help: 'Unix time at which each scheduled job last finished a period successfully on any instance; 0 = never',
    labelNames: ['job'],
  })
  async jobLastSuccess(): Promise<GaugeSample[]> {
    return (await this.jobs.lastSuccesses()).map(({ job, finishedAt }) => ({ labels: { job }, value: finishedAt ? finishedAt.getTime() / 1000 : 0 }));
  }
}
