import { Injectable } from '@nestjs/common';
import { ReadOnlyDatabase, sqlRows } from '#platform';
import type { Verdict } from './decide/strings.js';

export interface StoredIntentRow {
  id: string;
  created_at: Date;
  identity: string | null;
  verdict: Verdict;
  intent: unknown;
}

/** The decision log read for replay (simulating a candidate policy): reads only, on the read pool. */
@Injectable()
export class GateReplayRepository {
  constructor(private readonly reads: ReadOnlyDatabase) {}

  /**
   * The newest `limit` real decisions judged by policy `name` that kept their intent, newest first:
   * a backwards walk of ix_gate_decision_policy_seq (policy_name, seq). Simulated evaluations are
   * left out (they were someone's what-if, not traffic).
   */
  recentIntents(name: string, limit: number): Promise<StoredIntentRow[]> {
    return sqlRows<StoredIntentRow>(
      this.reads,
      `SELECT id, created_at, identity, verdict, intent FROM gate_decision
       WHERE policy_name = $1 AND intent IS NOT NULL AND NOT simulate ORDER BY seq DESC LIMIT $2`,
      [name, limit],
    );
  }
}
