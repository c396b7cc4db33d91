import type { AuthorizeOptions, GateApi, GateDecision, GateIntent } from './gate.js';

type Target = GateIntent['targets'][number];
type Derive<A extends unknown[], T> = T | ((...args: A) => T);

/**
 * What a governed action is, for the gate (the grace seed's `@require_governance(action,
 * risk_level)`): the tool's name and risk class, and optionally how to derive the rest of the
 * intent and the risk checks from the call's arguments.
 */
export interface GovernedOptions<A extends unknown[] = unknown[]> {
  /** The intent's `tool_name` (what a policy rule's `tool_names` matches). */
  tool: string;
  /** The intent's `risk_class`: low, medium, high (a policy's `fail_closed` may cover it); or derived per call. */
  risk: Derive<A, string>;
  /** Who acts (default: the client's `identity`). */
  identity?: Derive<A, string>;
  /** The workspace (default: the client's `workspace`). */
  workspace?: Derive<A, string>;
  targets?: Derive<A, Target[]>;
  args?: Derive<A, Record<string, unknown>>;
  policy?: string;
  engine?: Derive<A, string | undefined>;
  amount?: Derive<A, string | number | undefined>;
  domain?: Derive<A, string | undefined>;
  recommendationId?: Derive<A, string | undefined>;
  /** An approval granted for this very intent (a re-submission after a pending refusal). */
  approvalId?: Derive<A, string | undefined>;
  /** On pending, wait this long for the approval instead of refusing at once (a timeout is a rejection). */
  waitForApproval?: AuthorizeOptions['waitForApproval'];
}

export interface IntentDefaults {
  identity: string;
  workspace: string;
}

const derive = <A extends unknown[], T>(value: Derive<A, T> | undefined, args: A): T | undefined =>
  typeof value === 'function' ? (value as (...a: A) => T)(...args) : value;

/** The gait intent and the gate options for one call of a governed action. */
export function intentFor<A extends unknown[]>(options: GovernedOptions<A>, defaults: IntentDefaults, args: A): { intent: GateIntent; authorize: AuthorizeOptions } {
  const intent: GateIntent = {
    schema_id: 'gait.gate.intent_request',
    schema_version: '1.0.0',
    tool_name: options.tool,
    args: derive(options.args, args) ?? {},
    targets: derive(options.targets, args) ?? [],
    context: {
      identity: derive(options.identity, args) ?? defaults.identity,
      workspace: derive(options.workspace, args) ?? defaults.workspace,
      risk_class: derive(options.risk, args)!,
    },
  };
  const amount = derive(options.amount, args);
  return {
    intent,
    authorize: {
      policy: options.policy,
      engine: derive(options.engine, args),
      amount: amount === undefined ? undefined : String(amount),
      domain: derive(options.domain, args),
      recommendationId: derive(options.recommendationId, args),
      approvalId: derive(options.approvalId, args),
      waitForApproval: options.waitForApproval,
    },
  };
}

/**
 * `fn`, run only when the gate allows its intent. A block throws GateBlockedError, a hold
 * ApprovalPendingError (or, with `waitForApproval`, runs it once approved and re-submitted, and
 * throws ApprovalRejectedError / ApprovalTimeoutError otherwise); Warden unreachable throws
 * GovernanceUnavailableError. In no case does `fn` run without an allow.
 */
export function governed<A extends unknown[], R>(
  gate: GateApi,
  defaults: IntentDefaults,
  fn: (...args: A) => R | Promise<R>,
  options: GovernedOptions<A>,
): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const { intent, authorize } = intentFor(options, defaults, args);
    const _decision: GateDecision = await gate.authorize(intent, authorize);
    return fn(...args);
  };
}
