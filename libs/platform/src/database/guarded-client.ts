import pg from 'pg';
import { DatabaseUnavailableError, type DatabaseGate } from './database-gate.js';
import { CLOCK_RECHECK_MS, SERVER_DEADLINE, serverDeadline } from './server-deadline.js';
import { CLIENT_GRACE_MS } from './session-options.js';

/** Execute's row limit is an int32: "all rows" without letting pg pipeline the Sync. */
const ALL_ROWS = 2 ** 31 - 1;
/** Statements that manage the session or transaction themselves, or cannot run in an implicit transaction. */
const SESSION_STATEMENT = /^\s*(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE|SET|RESET|SHOW|LISTEN|UNLISTEN|NOTIFY|VACUUM|DISCARD|DEALLOCATE)\b|\bCONCURRENTLY\b|\bDATABASE\b/i;

/**
 * A connection the server (or the network) refused outright: the database is down. A connection
 * that is merely slow to open is not proof of that (an overloaded machine opens them slowly too):
 * it fails its own request, and a statement missing its deadline is what trips the gate.
 */
function refused(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03'].includes(code);
}

export interface GuardSettings {
  gate: DatabaseGate;
  /** Client-side bound on one statement (the server's statement_timeout plus a grace). */
  queryTimeoutMs: number;
  /**
   * The session is read-only (`default_transaction_read_only=on` at connect, ReadOnlyDatabase):
   * statements go with their Sync, since a late reply there commits nothing. The client refuses to
   * run anything once the server reports the session is no longer read-only.
   */
  readOnly?: boolean;
}

/** A statement refused on a read-only connection: a bug (500), never an outage. */
export class ReadOnlySessionError extends Error {
  readonly code = 'WARDEN_READ_ONLY_SESSION';
  constructor(message: string) {
    super(message);
    this.name = 'ReadOnlySessionError';
  }
}

export class QueryDeadlineError extends Error {
  readonly code = 'WARDEN_QUERY_DEADLINE';
  /** COMMIT (or the Sync of an autocommit statement) was sent and not acknowledged: it may yet commit. */
  readonly commitOutcomeUnknown: boolean;
  constructor(ms: number, sent: 'before_commit' | 'commit_unacknowledged') {
    super(
      sent === 'before_commit'
        ? `the database did not answer within ${ms} ms; the connection was dropped before commit, so nothing of it commits`
        : `the database did not acknowledge COMMIT within ${ms} ms; the outcome is unknown (docs/failure-modes.md)`,
    );
    this.name = 'QueryDeadlineError';
    this.commitOutcomeUnknown = sent === 'commit_unacknowledged';
  }
}

/**
 * The pg client every pooled Warden connection uses (pg-pool's `Client` option). It gives each
 * statement a client-side deadline, because a frozen server enforces none of its own timeouts:
 *
 * - Past the deadline the connection is destroyed, never reused, and the caller gets an error
 *   (503 governance_unavailable). A server that wakes later finds the client gone and rolls back
 *   whatever transaction it had open: nothing a 503'd request did commits.
 * - A statement outside an explicit transaction would commit on its own when the server wakes (pg
 *   sends Execute and Sync together). Here it goes with the Sync held back: the implicit
 *   transaction commits only when Sync is sent, and Sync is sent only after the statement's result
 *   arrived and only if the deadline has not passed. Explicit COMMITs are likewise never sent once
 *   the database is known to be down.
 * - A statement that checks its own deadline (a SERVER_DEADLINE parameter, server-deadline.ts) goes
 *   with its Sync, in one write: the parameter becomes this statement's deadline minus a margin, on
 *   the server's clock (a measured lower bound of its offset), and the statement raises, rolling
 *   back, once the server's clock has reached it, first thing and as its very last step. Arriving
 *   late (a frozen server resuming, bytes stuck in a socket) it raises at once; finishing late it
 *   raises after its writes. What is left after its last check is sending the rows and the commit:
 *   the same window as a held-back Sync already sent. So its deadline error says the outcome is
 *   unknown (commit_unacknowledged), and it commits later only if the server stalled that long
 *   right there, exactly like a held-back Sync's commit.
 * - The one ambiguous case is a COMMIT or Sync sent in time whose answer does not come back: the
 *   error says the outcome is unknown. Idempotency keys make the retry safe.
 */
export class GuardedClient extends pg.Client {
  private readonly guard: GuardSettings;
  /** What the server last reported of default_transaction_read_only (ParameterStatus, PostgreSQL 14+). */
  private sessionReadOnly = false;
  /** A lower bound of (server clock - Node clock) in ms, and when it was measured (server-deadline.ts). */
  private clockOffsetMs?: number;
  private clockMeasuredAt = 0;

  constructor(config: pg.ClientConfig & { warden: GuardSettings }) {
    super(config);
    this.guard = config.warden;
    if (this.guard.readOnly) {
      (this as unknown as { connection: NodeJS.EventEmitter }).connection.on('parameterStatus', (msg: { parameterName: string; parameterValue: string }) => {
        if (msg.parameterName === 'default_transaction_read_only') this.sessionReadOnly = msg.parameterValue === 'on';
      });
    }
  }

  /** Whether this statement goes with its Sync held back until its result arrived (bench/read-route.bench.ts compares). */
  protected holdsSync(text: string): boolean {
    // One plain statement outside a transaction block (no ';' inside: the extended protocol takes a single statement).
    return !this.guard.readOnly && this.getTransactionStatus() === 'I' && !SESSION_STATEMENT.test(text) && !text.replace(/;\s*$/, '').includes(';');
  }

  /** Why a statement may not run on this read-only connection, if it may not. */
  private readOnlyRefusal(text: string): ReadOnlySessionError | undefined {
    if (!this.sessionReadOnly) return new ReadOnlySessionError('the session is not read-only (default_transaction_read_only is off): refusing to run a read on it');
    if (SESSION_STATEMENT.test(text)) return new ReadOnlySessionError('a read-only connection runs single queries, not session or transaction statements');
    return undefined;
  }

  /** Best of three samples of the server's clock: each gives offset >= c - b (the tightest one wins). */
  private async measureClock(): Promise<void> {
    let best = -Infinity;
    for (let k = 0; k < 3; k++) {
      const res = await this.guarded({ text: 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS c' });
      best = Math.max(best, Number(res.rows[0].c) - Date.now());
    }
    this.clockOffsetMs = Math.floor(best) - 1;
    this.clockMeasuredAt = Date.now();
  }

  override connect(): Promise<pg.Client>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<pg.Client> | void {
    const gate = this.guard.gate;
    const down = !gate.maintenance && gate.down ? new DatabaseUnavailableError() : undefined;
    if (callback) {
      if (down) return void process.nextTick(() => callback(down));
      return super.connect((err: Error) => {
        if (refused(err)) gate.trip(err);
        callback(err);
      });
    }
    if (down) return Promise.reject(down);
    return super.connect().catch((err: unknown) => {
      if (refused(err)) gate.trip(err);
      throw err;
    });
  }

  override query(config: any, values?: any, callback?: any): any {
    if (config && typeof config.submit === 'function') return super.query(config, values, callback);
    if (typeof values === 'function') {
      callback = values;
      values = undefined;
    }
    const queryConfig: pg.QueryConfig = typeof config === 'string' ? { text: config } : { ...config };
    if (values !== undefined) queryConfig.values = values;
    const result = this.guarded(queryConfig);
    if (!callback) return result;
    result.then(
      (res) => callback(null, res),
      (err: unknown) => callback(err),
    );
    return undefined;
  }

  private guarded(config: pg.QueryConfig): Promise<pg.QueryResult> {
    const { gate, queryTimeoutMs, readOnly } = this.guard;
    if (readOnly) {
      const refusal = this.readOnlyRefusal(config.text ?? '');
      if (refusal) {
        void this.end().catch(() => undefined);
        return Promise.reject(refusal);
      }
      // One statement only: text with a ';' goes by the extended protocol, which refuses a second one
      // (the simple protocol would run "SELECT 1; COMMIT; SET default_transaction_read_only = off; ...").
      // Without a ';' there can be only one, and the simple protocol is the cheaper.
      if (config.text?.includes(';')) config = { ...config, queryMode: 'extended' } as pg.QueryConfig;
    }
    const checksDeadline = config.values?.includes(SERVER_DEADLINE) ?? false;
    if (checksDeadline && !gate.maintenance && !gate.down) {
      if (this.clockOffsetMs === undefined || Date.now() - this.clockMeasuredAt > CLOCK_RECHECK_MS) {
        return this.measureClock().then(() => this.guarded(config));
      }
      // Inside the margin the server has finished (rows sent, commit) before the client gives up, unless it stalls.
      const margin = Math.min(CLIENT_GRACE_MS, Math.floor(queryTimeoutMs / 4));
      const at = serverDeadline(Date.now() + queryTimeoutMs, margin, this.clockOffsetMs).toISOString();
      config = { ...config, values: config.values!.map((v) => (v === SERVER_DEADLINE ? at : v)) };
    } else if (checksDeadline) {
      // Maintenance (no client deadline): none on the server either. A database known down is refused below.
      config = { ...config, values: config.values!.map((v) => (v === SERVER_DEADLINE ? null : v)) };
    }
    if (gate.maintenance) {
      // Migrations and seeds: no deadline, and the server-side timeouts lifted for the transaction.
      if (!/^\s*(BEGIN|START\s+TRANSACTION)\b/i.test(config.text ?? '')) return super.query(config);
      return super.query(config).then(async (res) => {
        await super.query('SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0');
        return res;
      });
    }
    if (gate.down) {
      // Nothing is sent to a database known to be down, COMMIT least of all; the connection goes
      // too (a transaction it holds open is rolled back by the server when it sees the client gone).
      void this.end().catch(() => undefined);
      return Promise.reject(new DatabaseUnavailableError());
    }
    const text = config.text ?? '';
    const isCommit = /^\s*(COMMIT|END)\b/i.test(text);
    const holdSync = !checksDeadline && this.holdsSync(text);
    const deadline = Date.now() + queryTimeoutMs;

    return new Promise<pg.QueryResult>((resolve, reject) => {
      let settled = false;
      // A deadline-checked statement goes with its Sync: from now on it may commit (see the class comment).
      let commitSent = isCommit || (checksDeadline && this.getTransactionStatus() === 'I');
      const finish = (err: unknown, res?: pg.QueryResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(res!);
      };
      const abandon = (err: Error) => {
        // end() on a busy client destroys the socket and marks the client as ending, so the pool drops it.
        void this.end().catch(() => undefined);
        finish(err);
      };
      const timer = setTimeout(() => {
        const err = new QueryDeadlineError(queryTimeoutMs, commitSent ? 'commit_unacknowledged' : 'before_commit');
        gate.trip(err);
        abandon(err);
      }, queryTimeoutMs);

      const query: any = new (pg as any).Query(holdSync ? { ...config, rows: ALL_ROWS } : config, undefined, (err: unknown, res: pg.QueryResult) =>
        finish(err, res),
      );
      if (holdSync) {
        const complete = query.handleCommandComplete.bind(query);
        query.handleCommandComplete = (msg: unknown, connection: unknown) => {
          // The last moment before the implicit transaction can commit: not after the deadline, not when the database is known down.
          if (Date.now() >= deadline || gate.down) return abandon(new QueryDeadlineError(queryTimeoutMs, 'before_commit'));
          commitSent = true;
          complete(msg, connection);
        };
        const failed = query.handleError.bind(query);
        query.handleError = (err: unknown, connection: { sync(): void }) => {
          // The server discards everything until Sync after an error; pg only sends it itself when it pipelined it.
          if (err instanceof pg.DatabaseError && !commitSent && !settled) {
            commitSent = true;
            connection.sync();
          }
          return failed(err, connection);
        };
      }
      super.query(query);
    });
  }
}
