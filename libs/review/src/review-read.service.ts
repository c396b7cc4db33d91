import { Injectable } from '@nestjs/common';
import { type AttentionItem, DEFAULT_PAGE_LIMIT, type Principal, Clock, loadReviewRenderKit, ReviewSectionRegistry, toPage } from '#platform';
import { jobAttention } from './decide/needs-attention.js';
import type { WeeklyReport } from './decide/report.js';
import { parseIsoWeek, type IsoWeek } from './decide/week.js';
import { ReviewDto, ReviewPageDto, type ReviewQueryDto, ReviewSummaryDto } from './dto/review.dto.js';
import { renderReviewPage } from './render/page.js';
import { ReviewErrors } from './review.errors.js';
import { ReviewGenerateService } from './review-generate.service.js';
import { ReviewRepository, type ReviewRow } from './review.repository.js';

/** The review's HTTP answers: list, latest, one week as JSON or as a page, and on-demand generation. */
@Injectable()
export class ReviewReadService {
  constructor(
    private readonly repo: ReviewRepository,
    private readonly generator: ReviewGenerateService,
    private readonly clock: Clock,
    private readonly sections: ReviewSectionRegistry,
  ) {}

  async list(q: ReviewQueryDto): Promise<ReviewPageDto> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await this.repo.list({ before: q.before, since: q.since, until: q.until, limit });
    return toPage(rows, limit, (r) => String(Math.floor(r.week_start.getTime() / 1000)), ReviewSummaryDto.from);
  }

  async latest(): Promise<ReviewDto> {
    const row = await this.repo.latest();
    if (!row) throw ReviewErrors.raise('review_not_found', 'no weekly review has been generated yet');
    return ReviewDto.from(row);
  }

  async get(week: string): Promise<ReviewDto> {
    return ReviewDto.from(await this.found(week));
  }

  async html(week: string): Promise<string> {
    const row = await this.found(week);
    const kit = await loadReviewRenderKit(row.report);
    return renderReviewPage(row.report, row.digest, kit, (key) => this.sections.get(key)?.render, this.attentionLinks(row.report));
  }

  /**
   * Where each stored "needs attention" item is acted on: its section, asked again over its stored
   * data, names the console page (the report stores no link). A section that fails to answer, or an
   * item no section raises any more, simply has no link.
   */
  private attentionLinks(report: WeeklyReport): (item: AttentionItem) => Pick<AttentionItem, 'href' | 'action'> | undefined {
    const links = new Map<string, Pick<AttentionItem, 'href' | 'action'>>();
    const add = (i: AttentionItem) => i.href && links.set(`${i.kind}\u0000${i.subject}`, { href: i.href, action: i.action });
    for (const s of report.sections) {
      const attention = this.sections.get(s.key)?.attention;
      if (!attention || s.status !== 'ok' || !s.data) continue;
      try {
        attention(s.data).forEach(add);
      } catch {
        // An old section's data the lever no longer reads: its items show without a link.
      }
    }
    jobAttention(report.jobs?.runs ?? []).forEach(add);
    return (item) => links.get(`${item.kind}\u0000${item.subject}`);
  }

  /** Generates a past week's report on demand: 409 when it exists, 400 for the current or a future week. */
  async generate(principal: Principal, weekText: string): Promise<ReviewDto> {
    const week = this.pastWeek(weekText);
    if (await this.repo.exists(week.week)) throw ReviewErrors.raise('review_exists', `the report of ${week.week} exists; a report is never regenerated`);
    const report = await this.generator.generate(week, principal.name);
    if (!report) throw ReviewErrors.raise('review_exists', `the report of ${week.week} exists; a report is never regenerated`);
    return ReviewDto.from((await this.repo.get(week.week))!);
  }

  private week(text: string): IsoWeek {
    const week = parseIsoWeek(text);
    if (!week) throw ReviewErrors.raise('review_week_invalid', `week must be an ISO week like 2026-W48, got ${JSON.stringify(text.slice(0, 40))}`);
    return week;
  }

  private pastWeek(text: string): IsoWeek {
    const week = this.week(text);
    if (week.to.getTime() > this.clock.now().getTime()) throw ReviewErrors.raise('review_week_not_over', `${week.week} has not ended yet (it ends ${week.to.toISOString()})`);
    return week;
  }

  private async found(text: string): Promise<ReviewRow> {
    const week = this.week(text);
    const row = await this.repo.get(week.week);
    if (!row) throw ReviewErrors.raise('review_not_found', `no report for ${week.week}`);
    return row;
  }
}
