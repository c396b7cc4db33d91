import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { RISK_EXPIRY_JOB, RiskGuardService } from '#risk-guard';
// Tests may reach inside: the pure rule is the reference model, the policy service sets the scene.
import { applyClose, applyReservation, decideReservation, type ScopePolicy, type ScopeUsage, ZERO_USAGE } from '../libs/risk-guard/src/decide/decide.js';
import { RiskPolicyService } from '../libs/risk-guard/src/risk-policy.service.js';
import { JobRunner, SYSTEM_PRINCIPAL, utcDay, WardenError } from '#platform';
import { halfApplied, ledgerMismatches } from './support/factories/risk.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A reference model of the ledger (the pure rule plus exact decimal bookkeeping) driven side by side
 * with the real service on the real database by random sequences of reserve, retry, settle, void,
 * TTL expiry and day changes. After every step: the service answered what the model predicts, no
 * enforced cap is exceeded, and every ledger row equals the sums over the reservations.
 */

type Op =
  | { kind: 'reserve'; engine: 0 | 1 | 2; units: number; scale: 0 | 2 | 4; reuse: number | null; sameBody: boolean }
  | { kind: 'settle'; pick: number; lossUnits: number }
  | { kind: 'void'; pick: number }
  | { kind: 'expire' }
  | { kind: 'next_day' };

const capArb = (max: number) => fc.option(fc.integer({ min: 0, max }).map(String), { nil: null, freq: 3 });
const policyArb: fc.Arbitrary<ScopePolicy> = fc.record({
  enabled: fc.constantFrom(true, true, true, true, false),
  enforcementMode: fc.constantFrom<'enforce' | 'observe'>('enforce', 'enforce', 'enforce', 'observe'),
  maxDailyExposure: capArb(200),
  maxOpenRisk: capArb(90),
  maxDailyLoss: capArb(20),
  maxActionsPerDay: fc.option(fc.integer({ min: 0, max: 25 }), { nil: null, freq: 3 }),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('reserve' as const), engine: fc.constantFrom<0 | 1 | 2>(0, 0, 1, 1, 2), units: fc.integer({ min: 1, max: 3000 }), scale: fc.constantFrom<0 | 2 | 4>(0, 2, 2, 4), reuse: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(50) }), sameBody: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('settle' as const), pick: fc.nat(50), lossUnits: fc.integer({ min: 0, max: 800 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('next_day' as const) }) },
);

interface ModelReservation {
  id: string;
  cid: string;
  day: string;
  engine: string;
  amount: string;
  status: 'reserved' | 'expired' | 'settled' | 'voided';
  loss: string | null;
  expiresAt: number;
}
interface ModelKey {
  engine: string;
  amount: string;
  outcome: 'allowed' | 'allowed_observed' | 'denied';
  codes: string[];
  reservation?: ModelReservation;
}
type Usage = ScopeUsage & { denials: number };

describe('risk ledger against a reference model (property)', () => {
  let t: TestApp;
  let risk: RiskGuardService;
  let policies: RiskPolicyService;
  let jobs: JobRunner;
  let run = 0;

  beforeAll(async () => {
    t = await startTestApp();
    risk = t.app.get(RiskGuardService);
    policies = t.app.get(RiskPolicyService);
    jobs = t.app.get(JobRunner);
  });
  afterAll(() => t.close());

  /** Calls the service and reduces the answer to what the model predicts. */
  async function attempt(fn: () => Promise<any>): Promise<{ status: number; body: any; error?: string; codes?: string[]; details?: any }> {
    try {
      return { status: 200, body: await fn() };
    } catch (err) {
      if (!(err instanceof WardenError)) throw err;
      return { status: err.status, body: null, error: err.code, codes: err.extra.reasonCodes, details: err.extra.details };
    }
  }

  it('no sequence of reserve / settle / void / retry / expiry / day change overruns a cap or desynchronises the ledger', async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, policyArb, policyArb, fc.array(opArb, { minLength: 10, maxLength: 40, size: 'max' }), async (gp, ap, bp, ops) => {
        run += 1;
        const engines = [`PROP_${process.pid % 10000}_${run}_A`, `PROP_${process.pid % 10000}_${run}_B`, `PROP_${process.pid % 10000}_${run}_NONE`];
        const policyOf: Record<string, ScopePolicy | null> = { GLOBAL: gp, [engines[0]]: ap, [engines[1]]: bp, [engines[2]]: null };
        for (const [engine, p] of [['GLOBAL', gp], [engines[0], ap], [engines[1], bp]] as const) {
          await policies.upsertPolicy(SYSTEM_PRINCIPAL, {
            engine,
            enabled: p.enabled,
            enforcement_mode: p.enforcementMode,
            max_daily_exposure: p.maxDailyExposure as string | null,
            max_open_risk: p.maxOpenRisk as string | null,
            max_daily_loss: p.maxDailyLoss as string | null,
            max_actions_per_day: p.maxActionsPerDay,
            reservation_ttl_seconds: 60,
          });
        }
        let now = Date.UTC(2045, 0, 1) + run * 40 * 86_400_000 + 12 * 3_600_000;
        t.clock.set(new Date(now));

        const usage = new Map<string, Usage>(); // `${day}|${scope}`
        const get = (day: string, scope: string): Usage => usage.get(`${day}|${scope}`) ?? { ...ZERO_USAGE, denials: 0 };
        const put = (day: string, scope: string, u: ScopeUsage, denials?: number) => usage.set(`${day}|${scope}`, { ...u, denials: denials ?? get(day, scope).denials });
        const keys = new Map<string, ModelKey>(); // `${engine} ${cid}`: keys are scoped per engine
        const keyList: Array<{ engine: string; cid: string }> = [];
        const reservations: ModelReservation[] = [];
        const days = new Set<string>();
        let n = 0;

        for (const op of ops) {
          const day = utcDay(new Date(now));
          days.add(day);
          if (op.kind === 'reserve') {
            const reused = op.reuse !== null && keyList.length ? keyList[op.reuse % keyList.length] : null;
            const engine = reused && op.sameBody ? reused.engine : engines[op.engine];
            const cid = reused?.cid ?? `p${run}-${++n}`;
            // The same engine's earlier use of the key, if any: under another engine the key is a new request.
            const original = keys.get(`${engine} ${cid}`) ?? null;
            // 1..30 whole units, or 0.01..30 in cents, or with 4 fraction digits.
            const drawn = (op.scale === 0 ? new Decimal((op.units % 30) + 1) : new Decimal(op.units).div(100).plus(op.scale === 4 ? new Decimal(op.units % 7).div(10000) : 0)).toFixed();
            // A reused key with "another body" must really differ from the original body.
            const amount = original && op.sameBody ? original.amount : original && original.amount === drawn ? new Decimal(drawn).plus(1).toFixed() : drawn;
            const got = await attempt(() => risk.checkAndReserve(SYSTEM_PRINCIPAL, { engine, amount, correlationId: cid }));
            if (original) {
              if (original.amount === amount) {
                if (original.outcome === 'denied') {
                  expect({ status: got.status, error: got.error, codes: got.codes, replay: got.details?.idempotent_replay }).toEqual({
                    status: 403,
                    error: 'risk_denied',
                    codes: original.codes,
                    replay: true,
                  });
                } else {
                  expect({ status: got.status, id: got.body?.reservation_id, replay: got.body?.idempotent_replay }).toEqual({
                    status: 200,
                    id: original.reservation!.id,
                    replay: true,
                  });
                }
              } else {
                expect({ status: got.status, error: got.error }).toEqual({ status: 409, error: 'idempotency_conflict' });
              }
            } else {
              const decision = decideReservation({
                amount,
                killSwitchEngaged: false,
                global: { policy: policyOf.GLOBAL, usage: get(day, 'GLOBAL') },
                engine: { policy: policyOf[engine], usage: get(day, engine) },
              });
              if (decision.outcome === 'denied') {
                expect({ status: got.status, error: got.error, codes: got.codes, recorded: got.details?.recorded }).toEqual({
                  status: 403,
                  error: 'risk_denied',
                  codes: decision.reasonCodes,
                  recorded: decision.recordable,
                });
                if (decision.recordable) {
                  put(day, engine, get(day, engine), get(day, engine).denials + 1);
                  put(day, 'GLOBAL', get(day, 'GLOBAL'), get(day, 'GLOBAL').denials + 1);
                  keys.set(`${engine} ${cid}`, { engine, amount, outcome: 'denied', codes: decision.reasonCodes });
                  keyList.push({ engine, cid });
                }
              } else {
                expect({ status: got.status, outcome: got.body?.outcome, observed: got.body?.observed_reason_codes, day: got.body?.day }).toEqual({
                  status: 200,
                  outcome: decision.outcome,
                  observed: decision.observed,
                  day,
                });
                put(day, engine, applyReservation(get(day, engine), amount));
                put(day, 'GLOBAL', applyReservation(get(day, 'GLOBAL'), amount));
                const reservation: ModelReservation = { id: got.body.reservation_id, cid, day, engine, amount, status: 'reserved', loss: null, expiresAt: now + 60_000 };
                reservations.push(reservation);
                keys.set(`${engine} ${cid}`, { engine, amount, outcome: decision.outcome, codes: decision.reasonCodes, reservation });
                keyList.push({ engine, cid });
              }
            }
          } else if (op.kind === 'settle' || op.kind === 'void') {
            if (!reservations.length) continue;
            const r = reservations[op.pick % reservations.length];
            const loss = op.kind === 'settle' ? new Decimal(op.lossUnits).div(100).toFixed() : '0';
            const got = await attempt(() =>
              op.kind === 'settle'
                ? risk.settle({ reservationId: r.id, realizedLoss: loss })
                : risk.voidReservation(SYSTEM_PRINCIPAL, { correlationId: r.cid, engine: r.engine, reason: 'operator void' }),
            );
            if (op.kind === 'settle' && (r.status === 'reserved' || r.status === 'expired') && new Decimal(loss).gt(r.amount)) {
              // A settle books at most amount x max_loss_multiple (1 here): refused, nothing changes.
              expect({ status: got.status, error: got.error }).toEqual({ status: 422, error: 'loss_exceeds_reservation' });
            } else if (r.status === 'reserved' || r.status === 'expired') {
              expect({ status: got.status, outcome: got.body?.outcome, replay: got.body?.idempotent_replay, day: got.body?.ledger.day }).toEqual({
                status: 200,
                outcome: op.kind === 'settle' ? 'settled' : 'voided',
                replay: false,
                day: r.day,
              });
              r.status = op.kind === 'settle' ? 'settled' : 'voided';
              r.loss = op.kind === 'settle' ? loss : null;
              put(r.day, r.engine, applyClose(get(r.day, r.engine), r.amount, loss));
              put(r.day, 'GLOBAL', applyClose(get(r.day, 'GLOBAL'), r.amount, loss));
            } else if (op.kind === 'settle' && r.status === 'settled') {
              if (new Decimal(r.loss!).eq(loss)) expect({ status: got.status, replay: got.body?.idempotent_replay }).toEqual({ status: 200, replay: true });
              else expect({ status: got.status, error: got.error }).toEqual({ status: 409, error: 'idempotency_conflict' });
            } else if (op.kind === 'void' && r.status === 'voided') {
              expect({ status: got.status, replay: got.body?.idempotent_replay }).toEqual({ status: 200, replay: true });
            } else {
              expect({ status: got.status, error: got.error }).toEqual({ status: 409, error: 'reservation_not_open' });
            }
          } else if (op.kind === 'expire') {
            now += 61_000;
            t.clock.set(new Date(now));
            await jobs.runJob(RISK_EXPIRY_JOB);
            for (const r of reservations) if (r.status === 'reserved' && r.expiresAt <= now) r.status = 'expired';
          } else {
            now = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1, 12);
            t.clock.set(new Date(now));
          }

          // After every step: the database agrees with the model, the ledger with the reservations, and no enforced cap is exceeded.
          const dayList = [...days];
          const rows = await t.sql(
            `SELECT day::text, engine, exposure_used::text AS e, open_risk_reserved::text AS o, realized_loss::text AS l, actions_count::int AS a, denials_count::int AS d
               FROM risk_ledger_day WHERE day = ANY($1::date[]) AND engine = ANY($2::text[])`,
            [dayList, ['GLOBAL', ...engines]],
          );
          for (const d of dayList) {
            for (const scope of ['GLOBAL', engines[0], engines[1]]) {
              const m = get(d, scope);
              const row = rows.find((x) => x.day === d && x.engine === scope) ?? { e: '0', o: '0', l: '0', a: 0, d: 0 };
              expect({ day: d, scope, e: new Decimal(row.e).toFixed(), o: new Decimal(row.o).toFixed(), l: new Decimal(row.l).toFixed(), a: row.a, d: row.d }).toEqual({
                day: d,
                scope,
                e: new Decimal(m.exposureUsed).toFixed(),
                o: new Decimal(m.openRiskReserved).toFixed(),
                l: new Decimal(m.realizedLoss).toFixed(),
                a: m.actionsCount,
                d: m.denials,
              });
              const p = policyOf[scope];
              if (p && p.enforcementMode === 'enforce') {
                if (p.maxDailyExposure !== null) expect(new Decimal(m.exposureUsed).lte(p.maxDailyExposure)).toBe(true);
                if (p.maxOpenRisk !== null) expect(new Decimal(m.openRiskReserved).lte(p.maxOpenRisk)).toBe(true);
                if (p.maxActionsPerDay !== null) expect(m.actionsCount).toBeLessThanOrEqual(p.maxActionsPerDay);
              }
            }
          }
          const statuses = await t.sql(`SELECT id, status FROM risk_reservation WHERE engine = ANY($1::text[])`, [engines]);
          expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual(Object.fromEntries(reservations.map((r) => [r.id, r.status])));
          expect(await ledgerMismatches(t.sql)).toEqual([]);
        }
        expect(await halfApplied(t.sql)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
