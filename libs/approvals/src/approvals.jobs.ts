import { Injectable } from '@nestjs/common';
import { every, Job, type JobContext } from '#platform';
import { ApprovalDecisionsService } from './approval-decisions.service.js';
import { APPROVALS } from './approvals.lever.js';

export const APPROVALS_EXPIRY_JOB = `${APPROVALS.name}.expiry_sweep`;

/** The approvals lever's job: record expiry (readers already see it), once per minute across instances. */
@Injectable()
export class ApprovalsJobs {
  constructor(private readonly decisions: ApprovalDecisionsService) {}

  @Job(APPROVALS, { name: APPROVALS_EXPIRY_JOB, schedule: every(1) })
  async expirySweep({ manager }: JobContext) {
    return { expired: await this.decisions.expireDue(manager) };
  }
}
