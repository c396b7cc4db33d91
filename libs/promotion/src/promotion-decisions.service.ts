import { Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_LIMIT, toPage } from '#platform';
import { type PromotionDecisionPageDto, type PromotionDecisionQueryDto, PromotionDecisionResponseDto } from './dto/decision.dto.js';
import { PromotionRepository } from './promotion.repository.js';

const EXPORT_CHUNK = 500;

/** The append-only decision log: pages, and the JSONL export. */
@Injectable()
export class PromotionDecisionsService {
  constructor(private readonly repo: PromotionRepository) {}

  async list(q: PromotionDecisionQueryDto): Promise<PromotionDecisionPageDto> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await this.repo.listDecisions({ ...q, limit });
    return toPage(rows, limit, (r) => r.seq, PromotionDecisionResponseDto.from);
  }

  /** Every decision the filters select (newest first, `limit` ignored), one JSON object a line. */
  async jsonl(q: PromotionDecisionQueryDto): Promise<string> {
    const lines: string[] = [];
    let before = q.before;
    for (;;) {
      const rows = await this.repo.listDecisions({ ...q, before, limit: EXPORT_CHUNK });
      for (const r of rows.slice(0, EXPORT_CHUNK)) lines.push(JSON.stringify(PromotionDecisionResponseDto.from(r)));
      if (rows.length <= EXPORT_CHUNK) break;
      before = rows[EXPORT_CHUNK - 1].seq;
    }
    return lines.length ? `${lines.join('\n')}\n` : '';
  }
}
