import { Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_LIMIT, type Page, toPage } from '#platform';
import { checkKindOf, HeimdallCheckDto, type HeimdallChecksQueryDto } from './dto/check.dto.js';
import { HeimdallChecksRepository } from './heimdall-checks.repository.js';
import { HeimdallErrors } from './heimdall.errors.js';

/** Heimdall's decisions read back: every check at creation and every re-check, with its gates. */
@Injectable()
export class HeimdallChecksService {
  constructor(private readonly checks: HeimdallChecksRepository) {}

  async list(q: HeimdallChecksQueryDto): Promise<Page<HeimdallCheckDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await this.checks.page({
      domain: q.domain,
      outcome: q.outcome,
      prodEligible: q.prod_eligible,
      recommendationId: q.recommendation_id,
      correlationId: q.correlation_id,
      kind: checkKindOf(q.kind),
      before: q.before,
      since: q.since,
      until: q.until,
      limit: limit + 1,
    });
    return toPage(rows, limit, (r) => r.id, HeimdallCheckDto.from);
  }

  async get(id: string): Promise<HeimdallCheckDto> {
    const row = await this.checks.byId(id);
    if (!row) throw HeimdallErrors.raise('heimdall_check_not_found', `no Heimdall check ${id}`);
    return HeimdallCheckDto.from(row);
  }
}
