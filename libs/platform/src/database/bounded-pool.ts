import pg from 'pg';

/**
 * pg's Pool with the wait for a connection bounded separately from opening one. pg-pool has one
 * timeout for both and destroys a connection still opening when it expires, so on a slow machine
 * (opening = fork + SCRAM) a short bound would mean no connection ever opens. Here the request
 * gives up at `acquireTimeoutMillis` (503), while the connection goes on opening (up to
 * `connectionTimeoutMillis`) and serves the next request.
 */
export class BoundedPool extends pg.Pool {
  private readonly acquireMs: number;

  constructor(options: pg.PoolConfig & { acquireTimeoutMillis?: number }) {
    super(options);
    this.acquireMs = options.acquireTimeoutMillis ?? 0;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: any) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: any) => void) => void): Promise<pg.PoolClient> | void {
    if (!this.acquireMs) return callback ? super.connect(callback) : super.connect();
    const acquired = new Promise<[pg.PoolClient, (release?: any) => void]>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new Error('timeout exceeded when trying to connect'));
      }, this.acquireMs);
      super.connect((err, client, release) => {
        clearTimeout(timer);
        if (done) {
          // Too late for its request: back to the pool for the next one.
          if (!err) release();
          return;
        }
        done = true;
        if (err) reject(err);
        else resolve([client!, release]);
      });
    });
    if (!callback) return acquired.then(([client]) => client);
    acquired.then(
      ([client, release]) => callback(undefined, client, release),
      (err: Error) => callback(err, undefined, () => undefined),
    );
  }
}

/** The `pg` module as TypeORM's `driver` option, with the bounded pool. */
export const wardenPgDriver = { ...pg, Pool: BoundedPool };
