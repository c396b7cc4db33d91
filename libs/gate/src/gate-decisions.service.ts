import { Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_LIMIT, type Page, toPage } from '#platform';
import { GateErrors } from './gate.errors.js';
import { GateRepository } from './gate.repository.js';
import { GateDecisionDto, type GateDecisionQueryDto } from './dto/decisions.dto.js';

/** The decision log read back: every stored decision with its trace, filtered and paged. */
@Injectable()
export class GateDecisionsService {
  constructor(private readonly repo: GateRepository) {}

  async list(q: GateDecisionQueryDto): Promise<Page<GateDecisionDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await this.repo.listDecisions({
      verdict: q.verdict,
      identity: q.identity,
      engine: q.engine,
      policy: q.policy,
      reasonCode: q.reason_code,
      before: q.before,
      since: q.since,
      until: q.until,
      limit,
    });
    return toPage(rows, limit, (r) => r.seq, (r) => GateDecisionDto.from(r));
  }

  async get(id: string): Promise<GateDecisionDto> {
    const row = await this.repo.storedDecision(id);
    if (!row) throw GateErrors.raise('decision_not_found', `no gate decision ${id}`);
    return GateDecisionDto.from(row);
  }
}
