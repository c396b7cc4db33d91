/*
 * The risk guard's one way in: RiskGuardService (reserve, settle, void, what-if, the engine switch,
 * the policy read), with the types and DTOs of its calls. The inner services (reserve, close,
 * what-if, policy, ledger, adjust, engine switch, review) are this library's own; other code never
 * injects them. Besides, what the apps hand to the platform (the module, its repeatable SQL and
 * seeds), its error table, the names of its jobs, and its ledger invariants as SQL (for tests,
 * benchmarks and operators).
 */
export { RiskGuardModule } from './risk-guard.module.js';
export { RiskGuardService } from './risk-guard.service.js';
export type { ReserveCommand } from './risk-reserve.service.js';
export type { SettleCommand } from './risk-close.service.js';
export type { EnableOutcome } from './risk-engine-switch.service.js';
export type { EnforcementMode } from './risk-policy.repository.js';
export { GLOBAL_ENGINE } from './risk-guard.constants.js';
export { RiskErrors, type RiskErrorCode } from './risk-guard.errors.js';
export { RISK_DAY_CLOSE_JOB, RISK_EXPIRY_JOB } from './risk-guard.jobs.js';
export { RISK_GUARD_REPEATABLE_SQL } from './sql/index.js';
export { RISK_GUARD_SEEDS, RISK_POLICY_SEED } from './risk-guard.seed.js';
export { RiskReasonCode } from './decide/decide.js';
export * from './ledger-invariants.js';
export { AdjustResponseDto, AdjustRequestDto } from './dto/adjust.dto.js';
export { RiskEventDto, RiskEventsPageDto, RiskEventsQueryDto } from './dto/events.dto.js';
export { LedgerTodayResponseDto, RiskAdjustmentDto } from './dto/ledger.dto.js';
export { PolicyUpsertRequestDto, RiskPolicyResponseDto } from './dto/policy.dto.js';
export { DryRunResponseDto, ReservationResponseDto, ReserveRequestDto, WhatIfResponseDto } from './dto/reserve.dto.js';
export { CloseResponseDto, SettleRequestDto, VoidRequestDto } from './dto/settle.dto.js';
