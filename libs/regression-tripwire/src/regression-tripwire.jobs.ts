import { Injectable } from '@nestjs/common';
import { every, Job } from '#platform';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';
import { RegressionEvaluationService } from './regression-evaluation.service.js';

export const EVALUATE_JOB = `${REGRESSION_TRIPWIRE.name}.evaluate`;

/**
 * Scheduled entry points; they only delegate. The platform JobRunner runs each once per period
 * across all instances (advisory lock + job_run record) and catches up the latest missed period at start.
 */
@Injectable()
export class RegressionTripwireJobs {
  constructor(private readonly evaluation: RegressionEvaluationService) {}

  @Job(REGRESSION_TRIPWIRE, { name: EVALUATE_JOB, schedule: every(5), maxCatchUp: 1 })
  evaluate() {
    return this.evaluation.evaluateScheduled();
  }
}
