// The pure, offline evaluator: the CLI loads this without Nest. The Nest side is `#promotion/server`.
export { evaluatePromotion, RULE_EVALUATION_ERROR, type PromotionInput, type PromotionResult } from './decide/evaluate.js';
export { DEFAULT_POLICY, parsePolicy, populationVariance, type PromotionPolicy } from './decide/thresholds.js';
export { BUILTIN_RULE_SET, compileRuleFile, compileRules, RULE_VARIABLES, type CompiledRule, type RuleSet, type RuleSpec } from './decide/rules.js';
export { pythonToCel, PythonRewriteError } from './decide/python-to-cel.js';
export { canonicalOverrideData, overrideKeyBytes, signOverrideData, verifyOverride, type VerifiedOverride } from './decide/override.js';
export { overrideDigest } from './decide/digest.js';
export { isVerdict, PromotionInputError, VERDICTS, type TraceEntry, type Verdict } from './decide/types.js';
export { weeklyScorecard, type WeekTrials } from './decide/weekly-scorecard.js';
