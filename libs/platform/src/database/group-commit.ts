import { WardenError } from '../errors/warden-error.js';
import { commitOutcomeUnknown, isDatabaseUnavailable } from '../errors/database-errors.js';

export interface GroupCommitOptions<Req> {
  /** Most items in one statement. */
  maxBatch: number;
  /** Batches running at once; 1 keeps arrival order across batches (the risk ledger). */
  maxInFlight: number;
  /** Items with the same key never share a batch: a later one waits for the next batch. */
  key?: (req: Req) => string | undefined;
}

interface Entry<Req, Res> {
  req: Req;
  resolve: (res: Res) => void;
  reject: (err: unknown) => void;
}

/**
 * The database or the platform failing closed, not something about the rows: retrying the items
 * would only wait out the same outage again, or (a COMMIT sent and not acknowledged) commit twice.
 */
export function isInfrastructureFailure(err: unknown): boolean {
  return isDatabaseUnavailable(err) || commitOutcomeUnknown(err) || (err instanceof WardenError && err.status === 503);
}

/**
 * Group commit: concurrent callers share one statement and one commit. While a batch is in flight new
 * items queue; when a slot frees, everything queued (up to `maxBatch`) goes as the next batch. Nothing
 * waits on a timer: a lone item goes at once, and under load batches grow by themselves. `execute`
 * runs one batch all-or-nothing (one statement or one transaction) and returns one result per item,
 * in order. Every caller is answered exactly once, after its item committed or failed.
 *
 * The failure rule: **a poison item fails only itself.**
 * - A batch that fails with an error about its rows (a constraint, a value the database refuses) is
 *   bisected: its halves run again in order, each half that fails is split again, until the failing
 *   item stands alone and gets its own error; every other item commits. Bisection, not one by one,
 *   because the retries hold the batch's slot (with one in flight, everything queued waits behind
 *   them): one poison item in a batch of n costs at most 1 + 2·⌈log2 n⌉ statements (17 for 200, not 200).
 *   Halves run in arrival order, so the items admitted are still admitted in arrival order.
 * - An infrastructure failure (`isInfrastructureFailure`: connection lost, statement or lock
 *   timeout, client deadline, COMMIT unacknowledged, a 503 from the platform) is not a poison item:
 *   nothing is sent again, and every item of the batch not answered yet gets that error (503
 *   governance_unavailable), at once. A failed statement committed nothing, so no retry can answer
 *   an item that was already committed; an unacknowledged COMMIT is never retried.
 * Nothing is added to the batch that succeeds: one call of `execute`, no extra round trip.
 */
export class GroupCommit<Req, Res> {
  private queue: Array<Entry<Req, Res>> = [];
  private inFlight = 0;

  constructor(
    private readonly execute: (batch: Req[]) => Promise<Res[]>,
    private readonly options: GroupCommitOptions<Req>,
  ) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.pump();
    });
  }

  /** Items queued or in flight (for tests and metrics). */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** Up to maxBatch queued items; an item whose key is already in this batch waits for the next one. */
  private take(): Array<Entry<Req, Res>> {
    const { maxBatch, key } = this.options;
    if (!key) return this.queue.splice(0, maxBatch);
    const batch: Array<Entry<Req, Res>> = [];
    const rest: Array<Entry<Req, Res>> = [];
    const seen = new Set<string>();
    for (const item of this.queue) {
      const k = key(item.req);
      if (batch.length >= maxBatch || (k !== undefined && seen.has(k))) {
        rest.push(item);
        continue;
      }
      if (k !== undefined) seen.add(k);
      batch.push(item);
    }
    this.queue = rest;
    return batch;
  }

  /** Answers every item of the batch exactly once (the rule above); never rejects. */
  private async run(batch: Array<Entry<Req, Res>>): Promise<void> {
    // Parts still to run, in arrival order; a failed part is replaced by its two halves.
    const parts = [batch];
    while (parts.length > 0) {
      const part = parts.shift()!;
      let results: Res[];
      try {
        results = await this.execute(part.map((e) => e.req));
        if (results.length !== part.length) throw new Error(`group commit: ${results.length} results for ${part.length} items`);
      } catch (err) {
        if (isInfrastructureFailure(err)) {
          for (const e of [part, ...parts].flat()) e.reject(err);
          return;
        }
        if (part.length === 1) part[0].reject(err);
        else parts.unshift(part.slice(0, Math.ceil(part.length / 2)), part.slice(Math.ceil(part.length / 2)));
        continue;
      }
      part.forEach((e, i) => e.resolve(results[i]));
    }
  }
}
