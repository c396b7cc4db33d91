import { Injectable, type OnModuleInit } from '@nestjs/common';
import { dailyAtUtc, JobRunner, utcDay } from '#platform';
import { SCORECARD_CLOSE_JOB } from './heimdall.constants.js';
import { HeimdallScorecardService } from './heimdall-scorecard.service.js';

/**
 * The daily scorecard close. It runs at 00:05 UTC — five minutes of grace for trials stamped just
 * before midnight — and closes the day that ended: [previous boundary, boundary) starts on it.
 */
@Injectable()
export class HeimdallJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobRunner,
    private readonly scorecard: HeimdallScorecardService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: SCORECARD_CLOSE_JOB,
      schedule: dailyAtUtc(0, 5),
      maxCatchUp: 31,
      run: ({ previous, manager }) => this.scorecard.closeDay(manager, utcDay(previous)),
    });
  }
}
