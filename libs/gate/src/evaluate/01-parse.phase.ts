import { assertDomainAllowed, assertEngineAllowed, assertIdentityAllowed, type Principal } from '#platform';
import { decodeApprovalToken, type DecodedToken } from '../decide/approval-token.js';
import { failsClosedOnInvalid } from '../decide/evaluate.js';
import { GateInputError } from '../decide/input-error.js';
import { normalizeIntent } from '../decide/intent.js';
import type { GatePolicy, GateIntent } from '../decide/types.js';
import { GateErrors } from '../gate.errors.js';
import type { EvaluateRequestDto } from '../dto/evaluate.dto.js';

export const DEFAULT_POLICY_NAME = 'default';

/** The request as the later phases read it. */
export interface ParsedRequest {
  principal: Principal;
  req: EvaluateRequestDto;
  simulate: boolean;
  policyName: string;
  /** The normalised intent, or null when it could not be normalised (then `intentError`). */
  intent: GateIntent | null;
  intentError: GateInputError | null;
  identity: string | null;
  /** gait approval tokens sent with the request, decoded (not yet verified: the approval phase does that). */
  approvalTokens: DecodedToken[];
}

/**
 * Phase 1: parse and normalise. Pure: the field rules the DTO cannot express, the token's engine,
 * domain and identity bindings (403, nothing recorded: a refused claim must not even leave a
 * decision under the identity it claimed), and the intent normalised as gait does. An intent that cannot be normalised
 * is kept as its error: whether it is a 400 or a fail-closed block depends on the policy
 * (`assertJudgeable`, once the policy is read).
 */
export function parseRequest(principal: Principal, req: EvaluateRequestDto): ParsedRequest {
  const field = (name: string, problem: string) => GateErrors.raise('invalid_intent', `${name} ${problem}`, { details: { fields: [{ field: name, problems: [problem] }] } });
  if ((req.engine === undefined) !== (req.amount === undefined)) throw field(req.engine === undefined ? 'engine' : 'amount', 'is required with engine and amount together');
  if (req.reserve && (req.engine === undefined || !req.correlation_id)) {
    throw GateErrors.raise('correlation_id_required', 'reserve needs engine, amount and correlation_id (the reservation’s idempotency key)');
  }
  if (req.approval_id !== undefined && req.approval_tokens?.length) throw field('approval_tokens', 'cannot come with approval_id: an intent is released by one approval');
  const approvalTokens = (req.approval_tokens ?? []).map((t, i) => decodeToken(t, i));
  if (req.engine !== undefined) assertEngineAllowed(principal, req.engine);
  if (req.domain !== undefined) assertDomainAllowed(principal, req.domain);

  let intent: GateIntent | null = null;
  let intentError: GateInputError | null = null;
  try {
    intent = normalizeIntent(req.intent);
  } catch (e) {
    if (!(e instanceof GateInputError)) throw e;
    intentError = e;
  }
  const identity = intent?.context.identity ?? null;
  // The claim is checked even when the intent cannot be normalised (it may still be judged fail-closed).
  const claimed = identity ?? rawIdentity(req.intent);
  if (claimed !== null) assertIdentityAllowed(principal, claimed);
  return { principal, req, simulate: req.simulate === true, policyName: req.policy ?? DEFAULT_POLICY_NAME, intent, intentError, identity, approvalTokens };
}

/** A token that is not even a token document is bad input (400), not a vote. */
function decodeToken(token: Record<string, unknown>, index: number): DecodedToken {
  try {
    return decodeApprovalToken(JSON.stringify(token));
  } catch (e) {
    if (!(e instanceof GateInputError)) throw e;
    throw GateErrors.raise('invalid_approval_token', `approval_tokens[${index}]: ${e.message}`, { details: { fields: [{ field: `approval_tokens[${index}]`, problems: [e.message] }] } });
  }
}

/** context.identity as sent, trimmed, when the intent could not be normalised; null when it names none. */
function rawIdentity(intent: unknown): string | null {
  const context = typeof intent === 'object' && intent !== null ? (intent as { context?: unknown }).context : undefined;
  const identity = typeof context === 'object' && context !== null ? (context as { identity?: unknown }).identity : undefined;
  return typeof identity === 'string' && identity.trim() !== '' ? identity.trim() : null;
}

/**
 * An intent that cannot be normalised is `400 invalid_intent`, unless the active policy's
 * fail_closed covers its risk class: then the policy phase blocks it (`fail_closed_intent_invalid`).
 */
export function assertJudgeable(request: ParsedRequest, policy: GatePolicy | undefined): void {
  if (request.intentError && !(policy && failsClosedOnInvalid(policy, request.req.intent))) throw invalidIntent(request.intentError);
}

export function invalidIntent(e: GateInputError) {
  return GateErrors.raise('invalid_intent', `invalid intent: ${e.message}`, { details: { fields: [{ field: e.field ? `intent.${e.field}` : 'intent', problems: [e.message] }] } });
}
