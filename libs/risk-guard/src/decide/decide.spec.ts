import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { applyClose, applyReservation, decideReservation, type ScopePolicy, type ScopeUsage, ZERO_USAGE } from './decide.js';

const open: ScopePolicy = { enabled: true, enforcementMode: 'enforce', maxDailyExposure: null, maxOpenRisk: null, maxDailyLoss: null, maxActionsPerDay: null };
const q = (over: Partial<Parameters<typeof decideReservation>[0]> = {}) =>
  decideReservation({
    amount: '10',
    killSwitchEngaged: false,
    global: { policy: open, usage: ZERO_USAGE },
    engine: { policy: open, usage: ZERO_USAGE },
    ...over,
  });

describe('decideReservation', () => {
  it('allows within every cap, and a cap reached exactly still allows', () => {
    expect(q()).toEqual({ outcome: 'allowed', reasonCodes: [], observed: [], recordable: true });
    const capped = { ...open, maxDailyExposure: '10', maxOpenRisk: '10', maxActionsPerDay: 1, maxDailyLoss: '0.0001' };
    expect(q({ engine: { policy: capped, usage: ZERO_USAGE } }).outcome).toBe('allowed');
  });

  it('reports every failing cap of both scopes, in a fixed order', () => {
    const tight = { ...open, maxDailyExposure: '5', maxOpenRisk: '5', maxDailyLoss: '0', maxActionsPerDay: 0 };
    expect(q({ killSwitchEngaged: true, global: { policy: tight, usage: ZERO_USAGE }, engine: { policy: tight, usage: ZERO_USAGE } }).reasonCodes).toEqual([
      'kill_switch_engaged',
      'global_exposure_cap',
      'global_open_risk_cap',
      'global_loss_cap',
      'global_action_cap',
      'engine_exposure_cap',
      'engine_open_risk_cap',
      'engine_loss_cap',
      'engine_action_cap',
    ]);
  });

  it('the loss cap stops new risk once realized loss reaches it (strictly below passes)', () => {
    const p = { ...open, maxDailyLoss: '100' };
    expect(q({ engine: { policy: p, usage: { ...ZERO_USAGE, realizedLoss: '99.9999' } } }).outcome).toBe('allowed');
    expect(q({ engine: { policy: p, usage: { ...ZERO_USAGE, realizedLoss: '100' } } }).reasonCodes).toEqual(['engine_loss_cap']);
  });

  it('a 0 cap allows nothing, a null cap everything', () => {
    expect(q({ engine: { policy: { ...open, maxDailyExposure: '0' }, usage: ZERO_USAGE } }).reasonCodes).toEqual(['engine_exposure_cap']);
    expect(q({ amount: '999999999999999' }).outcome).toBe('allowed');
  });

  it('missing or disabled policies always deny; policy_disabled is reported once', () => {
    expect(q({ engine: { policy: null, usage: ZERO_USAGE } })).toMatchObject({ outcome: 'denied', reasonCodes: ['no_engine_policy'], recordable: false });
    expect(q({ global: { policy: null, usage: ZERO_USAGE } })).toMatchObject({ outcome: 'denied', reasonCodes: ['no_global_policy'] });
    const off = { ...open, enabled: false, enforcementMode: 'observe' as const };
    expect(q({ global: { policy: off, usage: ZERO_USAGE }, engine: { policy: off, usage: ZERO_USAGE } })).toMatchObject({
      outcome: 'denied',
      reasonCodes: ['policy_disabled'],
    });
  });

  it('observe mode allows and reports the would-be denial; an enforced scope still denies', () => {
    const observe = { ...open, enforcementMode: 'observe' as const, maxDailyExposure: '5' };
    expect(q({ engine: { policy: observe, usage: ZERO_USAGE } })).toEqual({
      outcome: 'allowed_observed',
      reasonCodes: ['engine_exposure_cap'],
      observed: ['engine_exposure_cap'],
      recordable: true,
    });
    expect(q({ engine: { policy: observe, usage: ZERO_USAGE }, global: { policy: { ...open, maxOpenRisk: '1' }, usage: ZERO_USAGE } })).toMatchObject({
      outcome: 'denied',
      reasonCodes: ['global_open_risk_cap', 'engine_exposure_cap'],
    });
  });

  it('never admits a sequence beyond an enforced cap (property)', () => {
    const amount = fc.integer({ min: 1, max: 5000 }).map((n) => new Decimal(n).div(100).toFixed());
    fc.assert(
      fc.property(
        fc.array(amount, { maxLength: 60 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 300 }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
        (amounts, engineCap, globalCap, actionCap) => {
          let g: ScopeUsage = ZERO_USAGE;
          let e: ScopeUsage = ZERO_USAGE;
          const gp = { ...open, maxDailyExposure: String(globalCap), maxOpenRisk: String(globalCap) };
          const ep = { ...open, maxDailyExposure: String(engineCap), maxActionsPerDay: actionCap };
          for (const a of amounts) {
            const d = decideReservation({ amount: a, killSwitchEngaged: false, global: { policy: gp, usage: g }, engine: { policy: ep, usage: e } });
            if (d.outcome === 'allowed') {
              g = applyReservation(g, a);
              e = applyReservation(e, a);
            } else if (d.reasonCodes.length === 0) return false;
            if (new Decimal(g.exposureUsed).gt(globalCap) || new Decimal(g.openRiskReserved).gt(globalCap)) return false;
            if (new Decimal(e.exposureUsed).gt(engineCap)) return false;
            if (actionCap !== null && e.actionsCount > actionCap) return false;
          }
          return true;
        },
      ),
    );
  });

  it('settling releases exactly the reserved amount and books the loss', () => {
    const after = applyClose(applyReservation(ZERO_USAGE, '12.3456'), '12.3456', '0.5');
    expect(after).toEqual({ exposureUsed: '12.3456', openRiskReserved: '0', realizedLoss: '0.5', actionsCount: 1 });
  });
});
