import { evaluateIntent } from './evaluate.js';
import { GateInputError } from './input-error.js';
import { normalizeIntent } from './intent.js';
import type { Verdict } from './strings.js';
import type { GateIntent, GatePolicy } from './types.js';

/** The most stored decisions one simulation replays: bounded, so a simulation is a read of known size. */
export const REPLAY_MAX = 1000;
export const REPLAY_DEFAULT = 200;

/**
 * The intent as the decision log keeps it for replay: everything the policy reads, without `args`
 * (which the server's evaluation never reads and which may carry what a log must not keep).
 */
export function replayableIntent(intent: GateIntent | null): GateIntent | null {
  return intent ? { ...intent, args: {} } : null;
}

/** One stored decision to replay: its intent and what was decided then. */
export interface StoredIntent {
  decision_id: string;
  created_at: string;
  identity: string | null;
  recorded_verdict: Verdict;
  /** As read back from the log (JSON): normalised again before it is judged. */
  intent: unknown;
}

export interface ReplayedDecision {
  decision_id: string;
  created_at: string;
  identity: string | null;
  tool_name: string;
  recorded_verdict: Verdict;
  /** The active version's policy verdict for the intent, now (`block` with `no_active_policy` when none is active). */
  active_verdict: Verdict;
  active_reason_codes: string[];
  candidate_verdict: Verdict;
  candidate_reason_codes: string[];
  candidate_matched_rule: string | null;
}

export interface ReplayReport {
  evaluated: number;
  /** Stored intents that no longer normalise (none should: they were normalised when stored). */
  skipped: number;
  changed: number;
  /** Verdict changes, active → candidate, most frequent first. */
  transitions: Array<{ from: Verdict; to: Verdict; count: number }>;
  by_verdict: { active: Record<Verdict, number>; candidate: Record<Verdict, number> };
  /** The decisions whose verdict the candidate changes, newest first. */
  changes: ReplayedDecision[];
}

const VERDICTS: readonly Verdict[] = ['allow', 'dry_run', 'require_approval', 'block'];
const zero = (): Record<Verdict, number> => ({ allow: 0, dry_run: 0, require_approval: 0, block: 0 });

/**
 * Replays stored intents under a candidate policy and under the active one, both now, with the same
 * pure evaluation the gate runs (phase 3, before the rollout mode and the other levers): what the
 * candidate would change in the policy's own verdict. Writes nothing, reads no lever.
 */
export function replayIntents(candidate: GatePolicy, active: GatePolicy | null, stored: readonly StoredIntent[]): ReplayReport {
  const byVerdict = { active: zero(), candidate: zero() };
  const transitions = new Map<string, { from: Verdict; to: Verdict; count: number }>();
  const changes: ReplayedDecision[] = [];
  let skipped = 0;
  for (const s of stored) {
    let intent: GateIntent;
    try {
      intent = normalizeIntent(s.intent);
    } catch (e) {
      if (!(e instanceof GateInputError)) throw e;
      skipped += 1;
      continue;
    }
    const now = active ? evaluateIntent(active, intent) : { verdict: 'block' as Verdict, reason_codes: ['no_active_policy'] };
    const next = evaluateIntent(candidate, intent);
    byVerdict.active[now.verdict] += 1;
    byVerdict.candidate[next.verdict] += 1;
    if (now.verdict === next.verdict) continue;
    const key = `${now.verdict}>${next.verdict}`;
    const t = transitions.get(key) ?? { from: now.verdict, to: next.verdict, count: 0 };
    t.count += 1;
    transitions.set(key, t);
    changes.push({
      decision_id: s.decision_id,
      created_at: s.created_at,
      identity: s.identity,
      tool_name: intent.tool_name,
      recorded_verdict: s.recorded_verdict,
      active_verdict: now.verdict,
      active_reason_codes: now.reason_codes,
      candidate_verdict: next.verdict,
      candidate_reason_codes: next.reason_codes,
      candidate_matched_rule: next.matched_rule,
    });
  }
  const order = (v: Verdict) => VERDICTS.indexOf(v);
  return {
    evaluated: stored.length - skipped,
    skipped,
    changed: changes.length,
    transitions: [...transitions.values()].sort((a, b) => b.count - a.count || order(a.from) - order(b.from) || order(a.to) - order(b.to)),
    by_verdict: byVerdict,
    changes,
  };
}
