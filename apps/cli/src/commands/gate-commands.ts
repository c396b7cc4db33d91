// `warden gate eval`: offline against a policy file, or remote against a running Warden. No Nest.
import { readFileSync } from 'node:fs';
import { applySimulate, EXIT, evaluateIntent, exitCodeFor, GateInputError, type GateEvaluation, type SimulatedEvaluation } from '#gate';
import { csv, jsonLine, type CommandResult } from './output.js';
import { invalid, loadIntent, loadPolicy } from './policy-commands.js';

export interface GateEvalOfflineOptions {
  policy: string;
  intent: string;
  simulate?: boolean;
  json?: boolean;
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

type Reported = GateEvaluation & Partial<Pick<SimulatedEvaluation, 'simulate_mode' | 'would_have_blocked' | 'simulated_verdict' | 'simulated_reason_codes'>> & { phase?: string };

/** gait's gate eval JSON field names and order (the fields Warden produces). */
function render(r: Reported, json: boolean | undefined, exitCode: number): CommandResult {
  if (!json) {
    const lines = [`gate eval: verdict=${r.verdict}`];
    if (r.simulate_mode) lines.push(`simulate: would_have_blocked=${r.would_have_blocked ? 'true' : 'false'} simulated_verdict=${r.simulated_verdict}`);
    lines.push(`reasons: ${csv(r.reason_codes)}`);
    if (r.violations.length > 0) lines.push(`violations: ${csv(r.violations)}`);
    if (r.matched_rule) lines.push(`matched_rule: ${r.matched_rule}`);
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
      ['required_approvals', approval ? r.min_approvals : 0],
      ['require_distinct_approvers', approval && r.require_distinct_approvers],
      ['trace_id', r.trace_id],
      ['policy_digest', r.policy_digest],
      ['intent_digest', r.intent_digest],
      ['matched_rule', r.matched_rule],
      ['phase', r.phase],
      ['simulate_mode', r.simulate_mode],
      ['would_have_blocked', r.would_have_blocked],
      ['simulated_verdict', r.simulated_verdict],
      ['simulated_reason_codes', r.simulated_reason_codes],
    ]),
  };
}

/** `warden gate eval --policy P --intent I [--simulate] [--json]`: exit 0 allow/dry_run/simulate, 3 block, 4 approval, 6 invalid. */
export function gateEvalOffline(opts: GateEvalOfflineOptions): CommandResult {
  let result: Reported;
  try {
    const policy = loadPolicy(opts.policy);
    const intent = loadIntent(opts.intent);
    const evaluated = evaluateIntent(policy, intent);
    result = { ...(opts.simulate ? applySimulate(evaluated) : evaluated), phase: intent.context.phase };
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
