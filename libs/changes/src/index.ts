// Change governance: Autopack's tiers over an agent's proposed change (paths, size, risk).
// The pure half (decide/) is what `warden change check` runs offline.
export { fnmatch } from './decide/fnmatch.js';
export { PatternSet } from './decide/pattern-set.js';
export { DEFAULT_POLICY_YAML } from './decide/default-policy.js';
export { ChangeInputError } from './decide/input-error.js';
export { DEFAULT_POLICY, LEVELS, POLICY_LIMITS, compilePolicy, parsePolicyYaml, policyDigest, type ChangePolicy, type CompiledPolicy, type Level } from './decide/policy.js';
export { CHANGE_LIMITS, parseChange, pathProblem, type ChangeInput } from './decide/change-input.js';
export { assessRiskLevel, canAutoApprove, decideChange, type ChangeDecision, type PathCheck, type Tier } from './decide/decide.js';
export { scorePhase, type RiskScore } from './decide/risk-scorer.js';
export { answerOf, CHANGE_STATUSES, type ChangeAnswer, type ChangeStatus } from './decide/answer.js';
export { CHANGES } from './changes.lever.js';
export { ChangesModule } from './changes.module.js';
export { ChangesService, CHANGE_KIND, CHANGE_REVIEW_KIND } from './changes.service.js';
export { ChangePolicyService } from './change-policy.service.js';
export { CHANGE_OUTCOMES } from './changes.metrics.js';
export { CHANGE_TOPICS, CONSOLE_LINK } from './changes.notifications.js';
