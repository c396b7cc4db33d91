import { Injectable } from '@nestjs/common';
import { GroupCommit } from '#platform';
import { GateRepository, type NewDecision } from './gate.repository.js';

/**
 * Group commit for the decisions that write nothing else (no approval filed or consumed): while one
 * multi-row INSERT is in flight, new decisions queue; the next flush takes them all in one statement
 * and one commit. A lone decision goes at once; nothing waits on a timer. Every caller still answers
 * only after its row committed. (One commit per evaluation measured ~0.05x of the trivial route's
 * throughput: the fsync per request, not the evaluation, was the cost.) The failure rule is the
 * platform's (GroupCommit): a row the database refuses fails only its own evaluation, the others of
 * its batch are still stored and answered; an outage fails the batch at once (503).
 */
@Injectable()
export class GateDecisionWriter {
  private readonly batches: GroupCommit<NewDecision & { id: string }, void>;

  constructor(private readonly repo: GateRepository) {
    // The writer's settings since it was measured (docs/gate.md, benchmark): decision rows lock nothing
    // shared, so unlike the risk ledger a second batch may be in flight.
    this.batches = new GroupCommit<NewDecision & { id: string }, void>(async (rows) => {
      await this.repo.insertDecisions(rows);
      return rows.map(() => undefined);
    }, { maxBatch: 500, maxInFlight: 2 });
  }

  write(row: NewDecision & { id: string }): Promise<void> {
    return this.batches.submit(row);
  }

  /** Decisions queued or being written (for tests and metrics). */
  get pending(): number {
    return this.batches.pending;
  }
}
