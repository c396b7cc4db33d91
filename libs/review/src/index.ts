export * from './review.module.js';
export { ReviewGenerateService } from './review-generate.service.js';
export { ReviewReadService } from './review-read.service.js';
export { ReviewErrors, type ReviewErrorCode } from './review.errors.js';
export { REVIEW_WEEKLY_JOB } from './review.jobs.js';
export { isoWeekOf, parseIsoWeek, weekEndedBefore, type IsoWeek } from './decide/week.js';
export { type WeeklyReport, type ReportSection, reportDigest } from './decide/report.js';
export { renderReviewPage, type SectionRenderer } from './render/page.js';
export { ReviewDto, ReviewPageDto, ReviewSummaryDto } from './dto/review.dto.js';
