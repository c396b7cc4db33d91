// The promotion review's Nest side (routes, overrides on record, the Friday job); the pure API is `#promotion`.
export * from './promotion.module.js';
export * from './promotion.constants.js';
export { PromotionErrors, type PromotionErrorCode } from './promotion.errors.js';
export { PromotionEvaluationService } from './promotion-evaluation.service.js';
export { PromotionReviewService, type WeeklyReviewOutcome } from './promotion-review.service.js';
export { PromotionReviewSectionService } from './promotion-review-section.service.js';
export { PromotionRulesService } from './promotion-rules.service.js';
export { EvaluatePromotionRequestDto, PromotionResultDto } from './dto/evaluate.dto.js';
export { PromotionDecisionPageDto, PromotionDecisionQueryDto, PromotionDecisionResponseDto } from './dto/decision.dto.js';
export { PutRulesRequestDto, RuleFileResponseDto } from './dto/rules.dto.js';
