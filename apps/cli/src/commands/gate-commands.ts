// `warden gate eval`: offline against a policy file, or remote against a running Warden. No Nest.
import { readFileSync } from 'node:fs';
import { applyApprovalTokens, applyBrokerRequirement, applySimulate, EXIT, evaluateIntent, exitCodeFor, GateInputError, traceId, type GateEvaluation, type SimulatedEvaluation } from '#gate';
import { readApprovalTokens, verificationKey, type ApprovalKeyOptions } from './approve-commands.js';
import { csv, jsonLine, type CommandResult } from './output.js';
import { invalid, loadIntent, loadPolicy, normalizedOrNull } from './policy-commands.js';

export interface GateEvalOfflineOptions extends ApprovalKeyOptions {
  policy: string;
  intent: string;
  simulate?: boolean;
  json?: boolean;
  /** Warden's stricter checks (off: gait at the seed). */
  strict?: boolean;
  /** gait's --approval-token: a token file. */
  approvalToken?: string;
  /** gait's --approval-token-chain: more token files, comma-separated. */
  approvalTokenChain?: string;
  /** gait's --approval-token-ref: reported as approval_ref unless tokens grant. */
  approvalTokenRef?: string;
  /** The clock for token expiry (tests). */
  now?: Date;
  env?: Record<string, string | undefined>;
}

export interface GateEvalRemoteOptions {
  server: string;
  token: string;
  intent: string;
  simulate?: boolean;
  json?: boolean;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

type Reported = GateEvaluation &
  Partial<Pick<SimulatedEvaluation, 'simulate_mode' | 'would_have_blocked' | 'simulated_verdict' | 'simulated_reason_codes'>> & {
    phase?: string;
    approval_ref?: string;
    /** Set when approval tokens were looked at (the policy asked for approval). */
    required_approvals?: number;
    valid_approvals?: number;
    warnings?: string[];
  };

/** gait's gate eval JSON field names and order (the fields Warden produces). */
function render(r: Reported, json: boolean | undefined, exitCode: number): CommandResult {
  if (!json) {
    const lines = [`gate eval: verdict=${r.verdict}`];
    if (r.simulate_mode) lines.push(`simulate: would_have_blocked=${r.would_have_blocked ? 'true' : 'false'} simulated_verdict=${r.simulated_verdict}`);
    lines.push(`reasons: ${csv(r.reason_codes)}`);
    if (r.violations.length > 0) lines.push(`violations: ${csv(r.violations)}`);
    if (r.matched_rule) lines.push(`matched_rule: ${r.matched_rule}`);
    if (r.required_approvals) lines.push(`approvals: ${r.valid_approvals ?? 0}/${r.required_approvals}`);
    for (const w of r.warnings ?? []) lines.push(`warning: ${w}`);
    return { exitCode, stdout: `${lines.join('\n')}\n` };
  }
  const approval = r.verdict === 'require_approval';
  return {
    exitCode,
    stdout: jsonLine([
      ['ok', true],
      ['verdict', r.verdict],
      ['reason_codes', r.reason_codes],
      ['violations', r.violations],
      ['approval_ref', r.approval_ref],
      ['required_approvals', r.required_approvals ?? (approval ? r.min_approvals : 0)],
      ['valid_approvals', r.valid_approvals],
      ['require_distinct_approvers', (approval || (r.required_approvals ?? 0) > 0) && r.require_distinct_approvers],
      ['trace_id', r.trace_id],
      ['policy_digest', r.policy_digest],
      ['intent_digest', r.intent_digest],
      ['matched_rule', r.matched_rule],
      ['phase', r.phase],
      ['simulate_mode', r.simulate_mode],
      ['would_have_blocked', r.would_have_blocked],
      ['simulated_verdict', r.simulated_verdict],
      ['simulated_reason_codes', r.simulated_reason_codes],
      ['warnings', r.warnings],
    ]),
  };
}

/**
 * `warden gate eval --policy P --intent I [--approval-token T] [--approval-token-chain a,b]
 * [--simulate] [--strict] [--json]`, in gait's order (cmd/gait/gate.go at the seed): evaluate,
 * approval tokens (only for a require_approval), the broker-credential requirement, simulate; the
 * trace id from the final verdict. Exit 0 allow/dry_run/simulate, 3 block, 4 approval, 6 invalid.
 */
export function gateEvalOffline(opts: GateEvalOfflineOptions): CommandResult {
  let result: Reported;
  try {
    const policy = loadPolicy(opts.policy);
    const raw = loadIntent(opts.intent);
    const intent = normalizedOrNull(raw);
    let evaluated: Reported = evaluateIntent(policy, intent ?? raw, { strict: opts.strict });
    if (opts.approvalTokenRef?.trim()) evaluated = { ...evaluated, approval_ref: opts.approvalTokenRef.trim() };
    if (evaluated.verdict === 'require_approval' && intent) {
      const paths = [opts.approvalToken ?? '', ...(opts.approvalTokenChain ?? '').split(',')];
      const tokens = readApprovalTokens(paths);
      const outcome = applyApprovalTokens(evaluated, intent.tool_name, tokens, { publicKey: verificationKey(opts, opts.env ?? process.env), now: opts.now });
      evaluated = { ...outcome.evaluation, required_approvals: outcome.required_approvals, valid_approvals: outcome.valid_approvals, approval_ref: outcome.approval_ref || evaluated.approval_ref };
    }
    evaluated = applyBrokerRequirement(evaluated);
    const final: Reported = opts.simulate ? { ...evaluated, ...applySimulate(evaluated) } : evaluated;
    result = { ...final, trace_id: traceId(final.policy_digest, final.intent_digest ?? '', final.verdict), phase: intent?.context.phase, warnings: policy.warnings };
  } catch (e) {
    return invalid(e, opts.json, 'gate eval');
  }
  return render(result, opts.json, opts.simulate ? EXIT.ok : exitCodeFor(result.verdict));
}

const failure = (message: string, json: boolean | undefined, exitCode: number): CommandResult => ({
  exitCode,
  stdout: json ? jsonLine([['ok', false], ['error', message]]) : `gate eval error: ${message}\n`,
});

/**
 * `warden gate eval --server URL --token T --intent I [--simulate] [--json]`: POSTs
 * `{intent, simulate}` to `{server}/api/governance/gate/evaluate`. 200 → 0 (allow, dry_run or a
 * simulation), 202 → 4, 403 with a verdict → 3, 400 → 6; anything else (401, a 403 without a
 * verdict such as a wrong role, 5xx, no answer) → 1: never 0, so CI fails closed.
 */
export async function gateEvalRemote(opts: GateEvalRemoteOptions): Promise<CommandResult> {
  let intent: unknown;
  try {
    const text = readFileSync(opts.intent, 'utf8');
    intent = JSON.parse(text);
  } catch (e) {
    return invalid(new GateInputError(`read intent: ${(e as Error).message}`), opts.json, 'gate eval');
  }
  const url = `${opts.server.replace(/\/+$/, '')}/api/governance/gate/evaluate`;
  let status: number;
  let body: Record<string, unknown>;
  try {
    const res = await (opts.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
      body: JSON.stringify({ intent, simulate: opts.simulate === true }),
    });
    status = res.status;
    body = ((await res.json().catch(() => ({}))) ?? {}) as Record<string, unknown>;
  } catch (e) {
    return failure(`request to ${url} failed: ${(e as Error).message}`, opts.json, EXIT.internal);
  }
  const hasVerdict = typeof body.verdict === 'string';
  if (status === 400) return failure(String(body.message ?? 'invalid input'), opts.json, EXIT.invalid);
  if (!hasVerdict || ![200, 202, 403].includes(status)) {
    return failure(`server answered ${status}${body.error ? ` ${String(body.error)}` : ''}${body.message ? `: ${String(body.message)}` : ''}`, opts.json, EXIT.internal);
  }
  const exitCode = status === 200 ? EXIT.ok : status === 202 ? EXIT.require_approval : EXIT.block;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const s = (v: unknown) => (typeof v === 'string' ? v : null);
  const reported: Reported = {
    verdict: body.verdict as Reported['verdict'],
    reason_codes: list(body.reason_codes),
    violations: list(body.violations),
    matched_rule: s(body.matched_rule),
    min_approvals: num(body.required_approvals ?? body.min_approvals),
    require_distinct_approvers: body.require_distinct_approvers === true,
    rate_limit: null,
    require_broker_credential: false,
    policy_digest: s(body.policy_digest) ?? '',
    intent_digest: s(body.intent_digest),
    trace_id: s(body.trace_id) ?? '',
    trace: [],
    phase: s(body.phase) ?? undefined,
    simulate_mode: body.simulate_mode === true || opts.simulate === true ? true : undefined,
    would_have_blocked: body.would_have_blocked === true,
    simulated_verdict: (s(body.simulated_verdict) ?? undefined) as Reported['simulated_verdict'],
    simulated_reason_codes: list(body.simulated_reason_codes),
  };
  return render(reported, opts.json, exitCode);
}
