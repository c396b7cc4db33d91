export * from './heimdall.seed.js';
export * from './heimdall.constants.js';
export * from './heimdall.module.js';
export * from './heimdall.service.js';
export * from './heimdall-policy.service.js';
export * from './heimdall-trials.service.js';
export * from './heimdall-scorecard.service.js';
export type { TrialsOverDaysRow } from './heimdall.repository.js';
export * from './heimdall.errors.js';
export * from './decide/gates.js';
export { normalizeRatio } from './decide/ratio.js';
export * from './dto/policy.dto.js';
export * from './dto/trial.dto.js';
export * from './dto/recommendation.dto.js';
export * from './dto/scorecard.dto.js';
export * from './dto/gate.dto.js';
export type { TrialResponseDto as Trial } from './dto/trial.dto.js';
export { RatioField } from '#platform';
import { CorrelationIdField as PlatformCorrelationIdField } from '#platform';

/**
 * @deprecated Import `CorrelationIdField` from '#platform' (one rule: 1-200 of [A-Za-z0-9._:-]).
 * Kept for apps/api/src/offers until its owner moves the import; the second argument (the old
 * per-lever length limit) is ignored.
 */
export function CorrelationIdField(description?: string, _legacyMax?: number) {
  return PlatformCorrelationIdField(description);
}
export { HeimdallReviewService } from './heimdall-review.service.js';
