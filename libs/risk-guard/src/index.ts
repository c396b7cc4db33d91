export * from './risk-guard.module.js';
export * from './risk-guard.service.js';
export * from './risk-guard.errors.js';
export { RISK_DAY_CLOSE_JOB, RISK_EXPIRY_JOB } from './risk-guard.jobs.js';
export * from './decide/decide.js';
export { reserveDigest } from './decide/digest.js';
export * from './dto/amount.js';
export type { EnforcementMode } from './entities/risk-policy.entity.js';
export type { ReservationStatus } from './entities/risk-reservation.entity.js';
