import { POLICY_NAME_PATTERN } from '../dto/policy.dto.js';
import { EvaluateRequestDto } from '../dto/evaluate.dto.js';

/** The fields a plain evaluation sends; any other (engine, amount, reserve, ...) goes through the validation pipe. */
const PLAIN_FIELDS = new Set(['intent', 'policy', 'simulate']);
/** Keys the validation pipe strips wherever they sit (Nest's stripProtoKeys): a body holding one goes through the pipe. */
const PROTO_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * The request DTO of a plain evaluation — `{intent, policy?, simulate?}`, each already of its final
 * type — built without class-transformer and class-validator, which cost 13% of the gate's CPU and
 * would give exactly this value (`fast-body.spec.ts` checks that against the pipe). Anything else
 * answers null, and the caller runs the app's ValidationPipe: its 400s and transforms stay the one
 * source of truth.
 */
export function plainEvaluateBody(body: unknown): EvaluateRequestDto | null {
  if (!isPlainObject(body)) return null;
  for (const key in body) if (!PLAIN_FIELDS.has(key)) return null;
  const { intent, policy, simulate } = body as { intent?: unknown; policy?: unknown; simulate?: unknown };
  if (!isPlainObject(intent) || Array.isArray(intent)) return null;
  if (policy !== undefined && (typeof policy !== 'string' || !POLICY_NAME_PATTERN.test(policy))) return null;
  if (simulate !== undefined && typeof simulate !== 'boolean') return null;
  if (holdsProtoKey(intent, 0)) return null;
  const dto = new EvaluateRequestDto();
  dto.intent = intent as Record<string, unknown>;
  if (policy !== undefined) dto.policy = policy as string;
  if (simulate !== undefined) dto.simulate = simulate;
  return dto;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return true;
  // A plain object of any realm: its prototype is Object.prototype (whose prototype is null), or null.
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** The body parser bounds the depth (MAX_JSON_DEPTH); the guard here only keeps a hand-built value from looping. */
function holdsProtoKey(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (depth > 256) return true;
  if (Array.isArray(v)) {
    for (const item of v) if (holdsProtoKey(item, depth + 1)) return true;
    return false;
  }
  if (!isPlainObject(v)) return true;
  for (const key in v) {
    if (PROTO_KEYS.has(key) || holdsProtoKey((v as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}
