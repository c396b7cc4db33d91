import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One series of a state gauge: its labels (if the gauge has any) and its value. */
export interface GaugeSample {
  labels?: Record<string, string>;
  value: number;
}

/**
 * A gauge computed when /metrics is scraped, from in-memory state or one cheap query — never
 * maintained per request. `read` returns every series; a series it no longer returns disappears.
 */
export interface StateGaugeDefinition {
  name: string;
  help: string;
  labelNames?: readonly string[];
  read(): GaugeSample[] | Promise<GaugeSample[]>;
}

/**
 * How long a scrape waits for one state gauge's reading. Past it (a hung database), the gauge keeps
 * its last values and the scrape answers anyway; the reading, still running, is reused by the next
 * scrape rather than started again. 2 s: the go-live staleness bound, and well inside Prometheus'
 * default 10 s scrape timeout even with every gauge late at once (they are read in parallel).
 */
export const STATE_GAUGE_DEADLINE_MS = 2000;

/** Prometheus metrics: one registry per app instance (tests run several in one process). */
@Injectable()
export class MetricsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('metrics');
  private readonly readings = new Set<Promise<unknown>>();
  readonly registry = new Registry();
  /** Overridable for tests of the deadline itself. */
  stateGaugeDeadlineMs = STATE_GAUGE_DEADLINE_MS;

  readonly httpRequests = new Counter({
    name: 'warden_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'warden_http_request_duration_seconds',
    help: 'HTTP request latency by route and method',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly decisions = new Counter({
    name: 'warden_decisions_total',
    help: 'Governance decisions by lever and outcome',
    labelNames: ['lever', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly stateGaugeErrors = new Counter({
    name: 'warden_metrics_state_gauge_errors_total',
    // Counted while the scrape is being written, so a failed reading shows from the next scrape.
    help: 'Scrapes at which a state gauge could not be read in time (it kept its last values)',
    labelNames: ['gauge'] as const,
    registers: [this.registry],
  });

  constructor() {
    // No prefix: stock dashboards and alerts look for process_* and nodejs_* by these exact names.
    collectDefaultMetrics({ register: this.registry });
  }

  decision(lever: string, outcome: string, count = 1): void {
    this.decisions.inc({ lever, outcome }, count);
  }

  /**
   * Declares a lever's outcomes so each `warden_decisions_total{lever,outcome}` series exists at 0
   * from the first scrape: `rate()` and `increase()` need a series before its first event.
   */
  registerDecisionOutcomes(lever: string, outcomes: readonly string[]): void {
    for (const outcome of outcomes) this.decisions.inc({ lever, outcome }, 0);
  }

  /** A reading still running when the app stops would query a closed pool: let it finish first (bounded). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.readings.size) await withDeadline(Promise.allSettled([...this.readings]), this.stateGaugeDeadlineMs);
  }

  /** Registers a gauge computed at scrape time (see StateGaugeDefinition). */
  registerStateGauge(definition: StateGaugeDefinition): void {
    let inflight: Promise<GaugeSample[]> | undefined;
    let failing = false;
    this.stateGaugeErrors.inc({ gauge: definition.name }, 0);
    const gauge: Gauge = new Gauge({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labelNames ?? [],
      registers: [this.registry],
      collect: async () => {
        if (!inflight) {
          const reading = Promise.resolve()
            .then(() => definition.read())
            .finally(() => {
              inflight = undefined;
              this.readings.delete(reading);
            });
          inflight = reading;
          this.readings.add(reading);
        }
        const samples = await withDeadline(inflight, this.stateGaugeDeadlineMs);
        if (!samples.ok) {
          this.stateGaugeErrors.inc({ gauge: definition.name });
          if (!failing) this.logger.warn(`state gauge ${definition.name} kept its last values: ${samples.reason}`);
          failing = true;
          return;
        }
        failing = false;
        // A label-less gauge always has one value: with no reading it keeps the last one.
        if (!definition.labelNames?.length && samples.value.length === 0) return;
        gauge.reset();
        for (const s of samples.value) {
          if (s.labels) gauge.set(s.labels, s.value);
          else gauge.set(s.value);
        }
      },
    });
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${ms} ms` }), ms);
    timer.unref();
  });
  const settled = promise.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (err: unknown): Outcome<T> => ({ ok: false, reason: err instanceof Error ? err.message : String(err) }),
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
