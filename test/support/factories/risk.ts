import { CAP_VIOLATION_SQL, HALF_APPLIED_SQL, LEDGER_MISMATCH_SQL } from '#risk-guard';
import type { TestApp } from '../test-app.js';

/** Risk-guard test factories: policies, scenarios on a fresh day, bound tokens, and the ledger invariants. */
export const RISK = '/api/governance/risk';

type Sql = <T = any>(text: string, params?: unknown[]) => Promise<T[]>;

/** Ledger rows that differ from the sums over reservations and denials (empty when the ledger is exact). */
export const ledgerMismatches = (sql: Sql): Promise<any[]> => sql(LEDGER_MISMATCH_SQL);

/** Ledger rows beyond an enforced cap of their engine's current policy. */
export const capViolations = (sql: Sql): Promise<any[]> => sql(CAP_VIOLATION_SQL);

/** Reservations whose events are missing: work applied only in part. */
export const halfApplied = (sql: Sql): Promise<any[]> => sql(HALF_APPLIED_SQL);

/** After each test of the file: the ledger equals its reservations and nothing is half applied. */
export function expectLedgerExactAfterEach(app: () => TestApp): void {
  afterEach(async () => {
    expect(await ledgerMismatches(app().sql)).toEqual([]);
    expect(await halfApplied(app().sql)).toEqual([]);
  });
}

let dayCounter = 0;
/** A UTC day no other test of this file uses (tests isolate GLOBAL usage by day). */
export function isolatedDay(base = Date.UTC(2031, 0, 1)): Date {
  dayCounter += 1;
  return new Date(base + dayCounter * 86_400_000 + 12 * 3_600_000);
}

let engineCounter = 0;
/** An engine name no other test of the run uses. */
export function engineName(prefix = 'E'): string {
  engineCounter += 1;
  return `${prefix}_${process.pid % 10000}_${engineCounter}`.toUpperCase();
}

/** POST /policies/upsert as `operator`; expects 200 and returns the policy. */
export async function upsertRiskPolicy(t: TestApp, operator: string, body: Record<string, unknown>): Promise<any> {
  const res = await t.http('POST', `${RISK}/policies/upsert`, body, { token: operator });
  expect(res.status).toBe(200);
  return res.body;
}

export interface RiskScenarioOptions {
  /** GLOBAL's fields (default: every cap unlimited). */
  global?: Record<string, unknown>;
  /** Every engine's fields beside the default caps (exposure 100, open risk 100, loss 50). */
  caps?: Record<string, unknown>;
  /** How many fresh engines (default 1). */
  count?: number;
  /** Engine name prefix. */
  prefix?: string;
  /** Mint an engine token bound to each engine. */
  boundTokens?: boolean;
}

/** A fresh UTC day, GLOBAL set, and fresh engines with their policies (and bound tokens when asked). */
export async function riskScenario(t: TestApp, operator: string, options: RiskScenarioOptions = {}): Promise<{ engines: string[]; tokens: string[] }> {
  t.clock.set(isolatedDay());
  await upsertRiskPolicy(t, operator, { engine: 'GLOBAL', max_daily_exposure: null, max_open_risk: null, max_daily_loss: null, ...options.global });
  const engines = Array.from({ length: options.count ?? 1 }, () => engineName(options.prefix ?? 'T'));
  for (const engine of engines) {
    await upsertRiskPolicy(t, operator, { engine, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50', ...options.caps });
  }
  const tokens = options.boundTokens ? await Promise.all(engines.map((engine) => t.token('engine', { engines: [engine] }))) : [];
  return { engines, tokens };
}

/** POST /check-and-reserve. */
export const reserveRisk = (t: TestApp, token: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  t.http('POST', `${RISK}/check-and-reserve`, body, { token, headers });

/** The engine's line of GET /ledger/today. */
export async function ledgerLine(t: TestApp, viewer: string, engine: string): Promise<any> {
  return (await t.http('GET', `${RISK}/ledger/today`, undefined, { token: viewer })).body.engines.find((e: any) => e.engine === engine);
}
