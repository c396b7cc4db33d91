import { Injectable } from '@nestjs/common';
import { dailyAtUtc, every, Job, type JobContext, utcDay } from '#platform';
import { RISK_GUARD } from './risk-guard.lever.js';
import { RiskLedgerService } from './risk-ledger.service.js';

export const RISK_DAY_CLOSE_JOB = `${RISK_GUARD.name}.day_close`;
export const RISK_EXPIRY_JOB = `${RISK_GUARD.name}.expiry_sweep`;

/** The risk guard's scheduled jobs; each only delegates to the service, inside the job's transaction. */
@Injectable()
export class RiskGuardJobs {
  constructor(private readonly ledger: RiskLedgerService) {}

  @Job(RISK_GUARD, { name: RISK_DAY_CLOSE_JOB, schedule: dailyAtUtc(0, 0), maxCatchUp: 31 })
  async closeDay({ boundary, manager }: JobContext) {
    return { day: utcDay(new Date(boundary.getTime() - 1)), written: await this.ledger.closeDay(manager, boundary) };
  }

  @Job(RISK_GUARD, { name: RISK_EXPIRY_JOB, schedule: every(1) })
  async expirySweep({ manager }: JobContext) {
    return { expired: await this.ledger.expireDue(manager) };
  }
}
