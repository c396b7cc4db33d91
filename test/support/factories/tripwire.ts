import { randomBytes } from 'node:crypto';
import type { HttpResult, TestApp } from '../test-app.js';

/** Regression-tripwire test data: fresh domains, KPI batches at a given success rate, policies, bound tokens. */

export const TRIPWIRE_API = '/api/governance/regression';

/** A fresh domain per test, so tests never see each other's streams. */
export const freshDomain = (prefix = 'D'): string => `${prefix}_${randomBytes(4).toString('hex').toUpperCase()}`;

export interface KpiEvent {
  domain: string;
  metric: string;
  success?: boolean;
  value?: number | string;
  correlation_id?: string;
}

/**
 * n success events at this rate, spread evenly (so any 20 consecutive ones have the rate too);
 * with `keyPrefix`, each carries the correlation_id `<keyPrefix>-<i>`.
 */
export function successes(domain: string, metric: string, n: number, rate: number, keyPrefix?: string): KpiEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    domain,
    metric,
    success: Math.floor((i + 1) * rate + 1e-9) > Math.floor(i * rate + 1e-9),
    ...(keyPrefix ? { correlation_id: `${keyPrefix}-${i}` } : {}),
  }));
}

/** n value events around `mean` with a ±20% spread, deterministic. */
export function wave(domain: string, metric: string, mean: number, n: number): KpiEvent[] {
  return Array.from({ length: n }, (_, i) => ({ domain, metric, value: mean * (1 + ((i % 5) - 2) * 0.1) }));
}

/** Small windows (20 vs 40, at least 20 each side), enabled, ALERT: quick to fill and harmless when it fires. */
export const SMALL_POLICY = { enabled: true, window_events: 20, baseline_events: 40, min_events: 20, max_drop_fraction: 0.2, action: 'ALERT' } as const;

/** The tripwire routes over real HTTP, as the given tokens. */
export function tripwireApi(t: TestApp, tokens: { operator: string; engine: string }) {
  return {
    upsert: (body: Record<string, unknown>, token = tokens.operator): Promise<HttpResult> => t.http('POST', `${TRIPWIRE_API}/policies/upsert`, body, { token }),
    kpi: (body: unknown, options: { token?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> =>
      t.http('POST', `${TRIPWIRE_API}/kpi`, body, { token: options.token ?? tokens.engine, headers: options.headers }),
    /** Records the events as one batch and expects 201. */
    feed: async (events: KpiEvent[], token = tokens.engine): Promise<HttpResult> => {
      const res = await t.http('POST', `${TRIPWIRE_API}/kpi`, { events }, { token });
      if (res.status !== 201) throw new Error(`KPI batch refused: ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    },
    evaluate: (domain: string, metric: string, token = tokens.engine): Promise<HttpResult> =>
      t.http('POST', `${TRIPWIRE_API}/evaluate?domain=${domain}&metric=${metric}`, undefined, { token }),
    /** A policy on a fresh domain (SMALL_POLICY unless overridden); expects 200. */
    policy: async (overrides: Record<string, unknown> = {}): Promise<{ domain: string; metric: string }> => {
      const domain = (overrides.domain as string | undefined) ?? freshDomain();
      const metric = (overrides.metric as string | undefined) ?? 'conv';
      const res = await t.http('POST', `${TRIPWIRE_API}/policies/upsert`, { ...SMALL_POLICY, ...overrides, domain, metric }, { token: tokens.operator });
      if (res.status !== 200) throw new Error(`policy refused: ${res.status} ${JSON.stringify(res.body)}`);
      return { domain, metric };
    },
  };
}

/** The roles a tripwire test needs, minted through the admin API; `bound` adds an engine token bound to these engines/domains. */
export async function tripwireTokens(t: TestApp, bound?: { engines?: string[]; domains?: string[] }) {
  const [viewer, operator, engine, boundEngine] = await Promise.all([
    t.token('viewer'),
    t.token('operator'),
    t.token('engine'),
    bound ? t.token('engine', bound) : Promise.resolve(''),
  ]);
  return { viewer, operator, engine, bound: boundEngine };
}
