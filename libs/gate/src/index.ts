// The gate's pure half: gait-compatible policy and intent parsing, evaluation and digests.
// No Nest, no database: the CLI imports it for offline evaluation.
export { GateInputError } from './decide/input-error.js';
export { parsePolicyYaml, normalizePolicy, POLICY_SCHEMA_ID, POLICY_SCHEMA_VERSION } from './decide/policy.js';
export { decodePolicyYaml, POLICY_LIMITS, PolicyLimitError, type PolicyLimit } from './decide/policy-yaml.js';
export { parseIntentJson, normalizeIntent, INTENT_SCHEMA_ID } from './decide/intent.js';
export { evaluateIntent, policyDigestOf, type EvaluateOptions } from './decide/evaluate.js';
export { digestJcs, policyDigest, intentDigest, argsDigest, traceId, policyDigestPayload, intentDigestPayload } from './decide/digest.js';
export { RuleIndex, firstMatchLinear } from './decide/rule-index.js';
export { applySimulate, exitCodeFor, EXIT, type SimulatedEvaluation } from './decide/simulate.js';
export { VERDICTS, type Verdict } from './decide/strings.js';
export type * from './decide/types.js';
