import type { ControlStateStream } from './stream.js';
import { ApprovalPendingError, ApprovalRejectedError, ApprovalTimeoutError, GateBlockedError, WardenError } from './errors.js';
import type { components } from './generated/openapi.js';
import type { Transport } from './http.js';

type Schemas = components['schemas'];
export type GateIntent = Schemas['GaitIntentDto'];
export type GateDecision = Schemas['GateVerdictResponseDto'];
export type GateBlockedDecision = Schemas['GateBlockedResponseDto'];
export type Approval = Schemas['ApprovalResponseDto'];

/** What else the gate should check with the intent (the request body's other fields, camel-cased). */
export interface EvaluateOptions {
  /** The stored policy to judge by (the server's default: `default`). */
  policy?: string;
  engine?: string;
  amount?: string | number;
  /** Reserve the amount for real when allowed (needs engine, amount, correlationId). */
  reserve?: boolean;
  correlationId?: string;
  domain?: string;
  recommendationId?: string;
  /** An approved request for this very intent: allows it once. */
  approvalId?: string;
}

/** The gate's answer in three cases: allow (allow, or dry_run which allows and records), block, pending. */
export type GateOutcome =
  | { kind: 'allow'; reasonCodes: string[]; decision: GateDecision }
  | { kind: 'block'; reasonCodes: string[]; decision: GateBlockedDecision }
  | { kind: 'pending'; approvalId: string; reasonCodes: string[]; decision: GateDecision };

export interface WaitOptions {
  /** How long to wait for a decision: past it, the wait rejects with ApprovalTimeoutError (a timeout is a rejection). */
  timeoutMs: number;
  /** Re-read the request this often when the stream has not told (default 1,000 ms). */
  pollMs?: number;
}

export interface AuthorizeOptions extends EvaluateOptions {
  /** On pending: wait this long for the approval and re-submit the intent with it. Without it, pending refuses at once. */
  waitForApproval?: WaitOptions;
}

const TERMINAL_REFUSALS = new Set(['rejected', 'expired', 'cancelled']);

/** The gate's evaluate → 202 → approval wait → re-submit loop, so an engine does not write it. */
export class GateApi {
  constructor(
    private readonly transport: Transport,
    private readonly stream: ControlStateStream,
  ) {}

  /**
   * One evaluation. An evaluation carries no idempotency key (each is a logged decision, a 202 files
   * an approval request), so it is retried only when the server cannot have acted: a 503, a
   * refused connection.
   */
  async evaluate(intent: GateIntent, options: EvaluateOptions = {}): Promise<GateOutcome> {
    const body: Schemas['EvaluateRequestDto'] = {
      intent,
      policy: options.policy,
      engine: options.engine,
      amount: options.amount === undefined ? undefined : String(options.amount),
      reserve: options.reserve,
      correlation_id: options.correlationId,
      domain: options.domain,
      recommendation_id: options.recommendationId,
      approval_id: options.approvalId,
    };
    const res = await this.transport.call<GateDecision | GateBlockedDecision | Schemas['ErrorBodyDto']>('POST', '/api/governance/gate/evaluate', {
      body,
      retry: 'unsent',
      accept: [202, 403],
    });
    if (res.status === 403) {
      const blocked = res.body as GateBlockedDecision;
      // A 403 that is not the gate's block (a token not bound to the engine, ...) is an error, not a verdict.
      if (blocked.error !== 'gate_blocked') throw WardenError.fromResponse(403, res.body);
      return { kind: 'block', reasonCodes: blocked.reason_codes, decision: blocked };
    }
    const decision = res.body as GateDecision;
    if (res.status === 202 || decision.verdict === 'require_approval') {
      return { kind: 'pending', approvalId: decision.approval_id!, reasonCodes: decision.reason_codes, decision };
    }
    return { kind: 'allow', reasonCodes: decision.reason_codes, decision };
  }

  /**
   * Resolves with the request once approved; rejects with ApprovalRejectedError when it is
   * rejected, expired or cancelled, and with ApprovalTimeoutError when `timeoutMs` passes first.
   * Woken by the stream's approval events when the client follows the stream, polling otherwise.
   */
  async waitForApproval(approvalId: string, options: WaitOptions): Promise<Approval> {
    const deadline = Date.now() + options.timeoutMs;
    const pollMs = options.pollMs ?? 1000;
    for (;;) {
      const approval = (await this.transport.call<Approval>('GET', `/api/governance/approvals/${encodeURIComponent(approvalId)}`, { retry: 'idempotent' })).body;
      if (approval.status === 'approved') return approval;
      if (TERMINAL_REFUSALS.has(approval.status)) throw new ApprovalRejectedError(approvalId, approval.status);
      const left = deadline - Date.now();
      if (left <= 0) throw new ApprovalTimeoutError(approvalId, options.timeoutMs);
      await this.toldOrAfter(approvalId, Math.min(pollMs, left));
    }
  }

  /**
   * Allowed, or throws: GateBlockedError (with the reasons), ApprovalPendingError (held, without
   * `waitForApproval`), ApprovalRejectedError / ApprovalTimeoutError (held, and the wait failed).
   * With `waitForApproval`, an approved request is re-submitted with the same intent, once.
   */
  async authorize(intent: GateIntent, options: AuthorizeOptions = {}): Promise<GateDecision> {
    const first = await this.evaluate(intent, options);
    const outcome = first.kind === 'pending' && options.waitForApproval ? await this.resubmit(intent, options, first.approvalId, options.waitForApproval) : first;
    if (outcome.kind === 'allow') return outcome.decision;
    if (outcome.kind === 'block') {
      const d = outcome.decision;
      throw new GateBlockedError(403, 'gate_blocked', d.message ?? `blocked: ${d.reason_codes.join(', ')}`, d.reason_codes, { decision_id: d.decision_id }, d);
    }
    throw new ApprovalPendingError(outcome.approvalId, outcome.reasonCodes, outcome.decision);
  }

  private async resubmit(intent: GateIntent, options: EvaluateOptions, approvalId: string, wait: WaitOptions): Promise<GateOutcome> {
    await this.waitForApproval(approvalId, wait);
    return this.evaluate(intent, { ...options, approvalId });
  }

  /** Waits until the stream reports this request decided, or `ms` passed. */
  private toldOrAfter(approvalId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const off = this.stream.on({
        change: (_type, event) => {
          if ('lever' in event && event.lever === 'approvals' && event.data.approval_id === approvalId) done();
        },
      });
    });
  }
}
