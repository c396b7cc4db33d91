import { Injectable } from '@nestjs/common';
import { dailyAtUtc, Job, type JobContext, utcDay } from '#platform';
import { SCORECARD_CLOSE_JOB } from './heimdall.constants.js';
import { HEIMDALL } from './heimdall.lever.js';
import { HeimdallScorecardService } from './heimdall-scorecard.service.js';

/**
 * The daily scorecard close. It runs at 00:05 UTC — five minutes of grace for trials stamped just
 * before midnight — and closes the day that ended: [previous boundary, boundary) starts on it.
 */
@Injectable()
export class HeimdallJobs {
  constructor(private readonly scorecard: HeimdallScorecardService) {}

  @Job(HEIMDALL, { name: SCORECARD_CLOSE_JOB, schedule: dailyAtUtc(0, 5), maxCatchUp: 31 })
  closeScorecardDay({ previous, manager }: JobContext) {
    return this.scorecard.closeDay(manager, utcDay(previous));
  }
}
