import { Injectable } from '@nestjs/common';
import { GroupCommit } from '#platform';
import { GateRepository, type NewDecision } from './gate.repository.js';

/**
 * Group commit for the decisions that write nothing else (no approval filed or consumed): while the
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
    // One batch in flight, as large as the queue: the hash chain (docs/audit.md) links each INSERT's
    // block under gate_decision's head lock, held to commit, so a second batch in flight only waited
    // for the first's commit, holding its connection; one at a time with larger batches measured
    // faster with the chain on (docs/audit.md, benchmark).
    this.batches = new GroupCommit<NewDecision & { id: string }, void>(async (rows) => {
      await this.repo.insertDecisions(rows);
      return rows.map(() => undefined);
    }, { maxBatch: 2000, maxInFlight: 1 });
  }

  write(row: NewDecision & { id: string }): Promise<void> {
    return this.batches.submit(row);
  }

  /** Decisions queued or being written (for tests and metrics). */
  get pending(): number {
    return this.batches.pending;
  }
}
