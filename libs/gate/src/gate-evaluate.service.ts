import { Injectable } from '@nestjs/common';
import type { Principal } from '#platform';
import type { EvaluateRequestDto, GateAnswer } from './dto/evaluate.dto.js';
import { parseRequest } from './evaluate/01-parse.phase.js';
import { ReadLeversPhase } from './evaluate/02-read-levers.phase.js';
import { applyPolicy } from './evaluate/03-apply-policy.phase.js';
import { combine } from './evaluate/04-combine.phase.js';
import { ApprovalPhase } from './evaluate/05-approval.phase.js';
import { ReservePhase } from './evaluate/06-reserve.phase.js';
import { DecisionRecorder } from './evaluate/07-record.phase.js';

export { DEFAULT_POLICY_NAME } from './evaluate/01-parse.phase.js';

/**
 * POST /gate/evaluate, top to bottom: one file per phase under evaluate/. Phases 1-4 judge and
 * write nothing (a 400 or 403 there leaves no trace anywhere); 5 and 6 act only for a real,
 * non-simulated evaluation; 7 is the only writer.
 */
@Injectable()
export class GateEvaluateService {
  constructor(
    private readonly levers: ReadLeversPhase,
    private readonly approvals: ApprovalPhase,
    private readonly reservations: ReservePhase,
    private readonly recorder: DecisionRecorder,
  ) {}

  async evaluate(principal: Principal, req: EvaluateRequestDto): Promise<GateAnswer> {
    // Judge (1-4): pure or read-only.
    const request = parseRequest(principal, req);
    const readings = await this.levers.read(request);
    const policy = applyPolicy(request, readings);
    const combined = combine(readings, policy);
    // Act (5-6), for a real evaluation only.
    const approved = await this.approvals.check(request, policy, combined);
    const reserved = await this.reservations.reserve(request, approved.verdict);
    // Record (7): the only writer.
    return this.recorder.record(request, readings, policy, { verdict: reserved.verdict, approval: approved.approval, reservationId: reserved.reservationId });
  }
}
