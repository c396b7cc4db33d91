// The gate's Nest side (`#gate/server`): module, services, DTOs. `#gate` itself stays pure so
// that the offline CLI never loads Nest, TypeORM or the platform.
export * from './gate.module.js';
export { GateEvaluateService, DEFAULT_POLICY_NAME } from './gate-evaluate.service.js';
export { installGateEvaluateRoute, GATE_EVALUATE_URL } from './gate-evaluate.route.js';
export { GatePolicyService } from './gate-policy.service.js';
export { GateTrustService, GATE_TRUST_PRIOR } from './gate-trust.service.js';
export { GateReviewService, GATE_REVIEW_TOP_REASONS } from './gate-review.service.js';
export { GateErrors, type GateErrorCode } from './gate.errors.js';
export { ROLLOUT_MODES, type RolloutMode, applyMode, combineSteps, simulateVerdict } from './decide/combine.js';
export { DEFAULT_TRUST_PRIOR, DEFAULT_TRUST_THRESHOLD, trustEstimate, trustScore, type TrustPrior } from './decide/trust.js';
export { GateVerdictResponseDto, GateBlockedResponseDto } from './dto/evaluate.dto.js';
export { TrustResponseDto } from './dto/trust.dto.js';
export { GateStatsResponseDto } from './dto/stats.dto.js';
