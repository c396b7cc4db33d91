/**
 * Groups concurrent calls into batches: while a batch is in flight, new calls queue; when a slot frees,
 * everything queued (up to `maxBatch`) goes as the next batch. Nothing waits on a timer: a lone call
 * goes at once, and under load batches grow by themselves. A batch that fails is retried one request
 * at a time, so one bad request cannot fail the others.
 */
export class Batcher<Req, Res> {
  private queue: Array<{ req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly execute: (batch: Req[]) => Promise<Res[]>,
    private readonly options: { maxBatch: number; maxInFlight: number; key?: (req: Req) => string | undefined },
  ) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.pump();
    });
  }

  /** Requests queued or in flight (for tests and metrics). */
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
  private take(): typeof this.queue {
    const { maxBatch, key } = this.options;
    if (!key) return this.queue.splice(0, maxBatch);
    const batch: typeof this.queue = [];
    const rest: typeof this.queue = [];
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

  private async run(batch: typeof this.queue): Promise<void> {
    try {
      const results = await this.execute(batch.map((b) => b.req));
      if (results.length !== batch.length) throw new Error(`batch returned ${results.length} results for ${batch.length} requests`);
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      for (const b of batch) {
        try {
          const [result] = await this.execute([b.req]);
          b.resolve(result);
        } catch (single) {
          b.reject(single);
        }
      }
    }
  }
}
