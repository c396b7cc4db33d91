import { Injectable, type OnModuleInit } from '@nestjs/common';
import { every, JobRunner } from '#platform';
import { ApprovalDecisionsService } from './approval-decisions.service.js';

export const APPROVALS_EXPIRY_JOB = 'approvals.expiry_sweep';

/** The approvals lever's job: record expiry (readers already see it), once per minute across instances. */
@Injectable()
export class ApprovalsJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobRunner,
    private readonly decisions: ApprovalDecisionsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: APPROVALS_EXPIRY_JOB,
      schedule: every(1),
      run: async ({ manager }) => ({ expired: await this.decisions.expireDue(manager) }),
    });
  }
}
