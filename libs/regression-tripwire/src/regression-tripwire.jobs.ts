import { Injectable, type OnModuleInit } from '@nestjs/common';
import { every, JobRunner } from '#platform';
import { RegressionEvaluationService } from './regression-evaluation.service.js';

export const EVALUATE_JOB = 'regression.evaluate';

/**
 * Scheduled entry points; they only delegate. The platform JobRunner runs each once per period
 * across all instances (advisory lock + job_run record) and catches up the latest missed period at start.
 */
@Injectable()
export class RegressionTripwireJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobRunner,
    private readonly evaluation: RegressionEvaluationService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({ name: EVALUATE_JOB, schedule: every(5), maxCatchUp: 1, run: () => this.evaluation.evaluateScheduled() });
  }
}
