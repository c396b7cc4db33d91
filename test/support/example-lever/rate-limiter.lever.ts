/*
 * The worked example of docs/adding-a-lever.md: a small lever that lives in one folder and declares
 * what it adds with the platform's decorators. Nothing outside this folder names it; the test that
 * plugs it into the app (test/lever-example.e2e.spec.ts) shows that the platform finds every piece.
 */
import { Injectable, Module } from '@nestjs/common';
import {
  DecisionOutcomes,
  defineLever,
  every,
  type GaugeSample,
  Job,
  type JobContext,
  MetricsService,
  ReadinessCheck,
  ReviewSection,
  type ReviewSectionContract,
  StateGauge,
} from '#platform';

export const RATE_LIMITER = defineLever({ name: 'rate_limiter', title: 'Rate limiter' });

const OUTCOMES = ['allowed', 'limited'] as const;

/** The lever's state: tokens left per engine, refilled by its job. A real lever keeps it in its tables. */
@Injectable()
@DecisionOutcomes(RATE_LIMITER, OUTCOMES)
export class RateLimiterService {
  readonly left = new Map<string, number>([['WHOLESALE', 2]]);
  refills = 0;

  constructor(private readonly metrics: MetricsService) {}

  take(engine: string): boolean {
    const left = this.left.get(engine) ?? 0;
    const ok = left > 0;
    if (ok) this.left.set(engine, left - 1);
    this.metrics.decision(RATE_LIMITER.name, ok ? 'allowed' : 'limited');
    return ok;
  }

  @Job(RATE_LIMITER, { name: `${RATE_LIMITER.name}.refill`, schedule: every(1) })
  refill(_ctx: JobContext) {
    this.refills += 1;
    for (const engine of this.left.keys()) this.left.set(engine, 2);
    return Promise.resolve({ engines: this.left.size });
  }

  @StateGauge({ name: 'warden_rate_limiter_tokens', help: 'Tokens left per engine', labelNames: ['engine'] })
  tokens(): GaugeSample[] {
    return [...this.left].map(([engine, value]) => ({ labels: { engine }, value }));
  }

  @ReadinessCheck(RATE_LIMITER, 'required_packs_installed')
  readiness() {
    return Promise.resolve({ ok: this.left.size > 0, detail: `${this.left.size} engine(s) limited` });
  }
}

export interface RateLimiterWeek {
  engines: number;
  refills: number;
  /** Engines with no token left when the report was computed. */
  exhausted: string[];
}

/** Its section of the Monday review, typed by its own data: the figures, their HTML and what needs attention. */
@Injectable()
@ReviewSection(RATE_LIMITER, {
  order: 70,
  render: (data: RateLimiterWeek, kit) => kit.plain(data),
  attention: (data: RateLimiterWeek) =>
    data.exhausted.map((engine) => ({ kind: 'rate_limit_exhausted', subject: `engine:${engine}`, message: `${engine} has no rate-limit token left` })),
})
export class RateLimiterReviewService implements ReviewSectionContract<RateLimiterWeek> {
  constructor(private readonly limiter: RateLimiterService) {}

  weekSection(): Promise<RateLimiterWeek> {
    const exhausted = [...this.limiter.left].filter(([, left]) => left === 0).map(([engine]) => engine);
    return Promise.resolve({ engines: this.limiter.left.size, refills: this.limiter.refills, exhausted });
  }
}

@Module({ providers: [RateLimiterService, RateLimiterReviewService], exports: [RateLimiterService] })
export class RateLimiterModule {}
