import { Injectable, type OnModuleInit } from '@nestjs/common';
import { dailyAtUtc, every, JobRunner, utcDay } from '#platform';
import { RiskLedgerService } from './risk-ledger.service.js';

export const RISK_DAY_CLOSE_JOB = 'risk.day_close';
export const RISK_EXPIRY_JOB = 'risk.expiry_sweep';

/** The risk guard's scheduled jobs; each only delegates to the service, inside the job's transaction. */
@Injectable()
export class RiskGuardJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobRunner,
    private readonly ledger: RiskLedgerService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: RISK_DAY_CLOSE_JOB,
      schedule: dailyAtUtc(0, 0),
      maxCatchUp: 31,
      run: async ({ boundary, manager }) => ({
        day: utcDay(new Date(boundary.getTime() - 1)),
        written: await this.ledger.closeDay(manager, boundary),
      }),
    });
    this.jobs.register({
      name: RISK_EXPIRY_JOB,
      schedule: every(1),
      run: async ({ manager }) => ({ expired: await this.ledger.expireDue(manager) }),
    });
  }
}
