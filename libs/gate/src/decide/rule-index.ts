import { ruleMatches } from './match.js';
import type { GateIntent, GatePolicy, PolicyRule } from './types.js';

/**
 * Candidate sets so that evaluation cost does not grow with the number of rules.
 *
 * Every rule is filed under ONE anchor, the first non-empty of: tool_names, identities,
 * target_values, risk_classes, target_kinds (one bucket per listed value), or under `always`
 * when it constrains none of them. A rule can only match an intent whose value for its anchor is
 * one of the listed values, so it is in one of the buckets the intent looks up: the candidates
 * are a superset of the matching rules. Buckets hold rule ranks (positions in priority-then-name
 * order) ascending; a lazy k-way merge walks the candidates in that order and the first full
 * match decides, exactly as gait's linear scan does.
 */
export class RuleIndex {
  private readonly byTool = new Map<string, number[]>();
  private readonly byIdentity = new Map<string, number[]>();
  private readonly byTargetValue = new Map<string, number[]>();
  private readonly byRiskClass = new Map<string, number[]>();
  private readonly byTargetKind = new Map<string, number[]>();
  private readonly always: number[] = [];

  constructor(readonly rules: readonly PolicyRule[]) {
    rules.forEach((rule, rank) => {
      const m = rule.match;
      const [map, values] =
        m.tool_names.length > 0 ? [this.byTool, m.tool_names]
        : m.identities.length > 0 ? [this.byIdentity, m.identities]
        : m.target_values.length > 0 ? [this.byTargetValue, m.target_values]
        : m.risk_classes.length > 0 ? [this.byRiskClass, m.risk_classes]
        : m.target_kinds.length > 0 ? [this.byTargetKind, m.target_kinds]
        : [null, []];
      if (map === null) this.always.push(rank);
      for (const v of values) {
        const bucket = map!.get(v);
        if (bucket) bucket.push(rank);
        else map!.set(v, [rank]);
      }
    });
  }

  /** Buckets that may hold a rule matching `intent`; each ascending by rank. */
  private buckets(intent: GateIntent): number[][] {
    const out: number[][] = [];
    const add = (b: number[] | undefined) => {
      if (b && b.length > 0) out.push(b);
    };
    add(this.always);
    add(this.byTool.get(intent.tool_name));
    add(this.byIdentity.get(intent.context.identity));
    add(this.byRiskClass.get(intent.context.risk_class));
    const values = new Set<string>();
    const kinds = new Set<string>();
    for (const t of intent.targets) {
      values.add(t.value);
      kinds.add(t.kind);
    }
    for (const v of values) add(this.byTargetValue.get(v));
    for (const k of kinds) add(this.byTargetKind.get(k));
    return out;
  }

  /** The first rule in priority order that matches, with how many candidates were examined. */
  firstMatch(intent: GateIntent): { rule: PolicyRule | null; examined: number } {
    const buckets = this.buckets(intent);
    const pos = new Array<number>(buckets.length).fill(0);
    let examined = 0;
    let last = -1;
    for (;;) {
      let best = -1;
      for (let i = 0; i < buckets.length; i++) {
        if (pos[i] < buckets[i].length && (best < 0 || buckets[i][pos[i]] < buckets[best][pos[best]])) best = i;
      }
      if (best < 0) return { rule: null, examined };
      const rank = buckets[best][pos[best]++];
      // A rule listing two of the intent's target values sits in two buckets: look at it once.
      if (rank === last) continue;
      last = rank;
      examined++;
      const rule = this.rules[rank];
      if (ruleMatches(rule.match, intent)) return { rule, examined };
    }
  }
}

/** The reference: gait's linear first-match scan. Used by the property test and as documentation. */
export function firstMatchLinear(policy: GatePolicy, intent: GateIntent): PolicyRule | null {
  return policy.rules.find((r) => ruleMatches(r.match, intent)) ?? null;
}

const cache = new WeakMap<GatePolicy, RuleIndex>();
/** One index per normalised policy object, built on first use. */
export function indexFor(policy: GatePolicy): RuleIndex {
  let index = cache.get(policy);
  if (!index) {
    index = new RuleIndex(policy.rules);
    cache.set(policy, index);
  }
  return index;
}
