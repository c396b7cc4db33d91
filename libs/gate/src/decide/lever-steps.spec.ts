import { engineThrottleStep, goLiveStep, heimdallStep, riskReserveStep, riskWhatIfStep } from './lever-steps.js';

describe('lever steps: each lever answer as allow or block, with its evidence', () => {
  it('go-live: the kill switch blocks; go-live disabled blocks only where go-live is enforced', () => {
    const s = { go_live_enabled: false, kill_switch_engaged: false, enforced: false, reason: 'r' };
    expect(goLiveStep(s)).toEqual({ step: 'go_live', verdict: 'allow', reason_codes: [], details: { go_live_enabled: false, kill_switch_engaged: false, enforced: false } });
    expect(goLiveStep({ ...s, enforced: true })).toMatchObject({ verdict: 'block', reason_codes: ['go_live_disabled'] });
    expect(goLiveStep({ ...s, go_live_enabled: true, kill_switch_engaged: true })).toMatchObject({ verdict: 'block', reason_codes: ['kill_switch_engaged'], details: { reason: 'r' } });
  });

  it('risk what-if: skipped without engine and amount; a denial blocks with the risk codes', () => {
    expect(riskWhatIfStep(null)).toMatchObject({ step: 'risk', verdict: 'allow', details: { skipped: expect.any(String) } });
    const a = { allowed: false, engine: 'E', amount: '5', outcome: 'denied', reason_codes: ['engine_exposure_cap'] };
    expect(riskWhatIfStep(a)).toEqual({ step: 'risk', verdict: 'block', reason_codes: ['engine_exposure_cap'], details: { mode: 'what_if', engine: 'E', amount: '5', outcome: 'denied', risk_reason_codes: ['engine_exposure_cap'] } });
    expect(riskWhatIfStep({ ...a, allowed: true, outcome: 'allowed' })).toMatchObject({ verdict: 'allow', reason_codes: [] });
  });

  it('risk reserve: the reservation allows; a denial blocks with its codes and message', () => {
    expect(riskReserveStep({ reservation_id: 'r1', outcome: 'allowed', idempotent_replay: false })).toEqual({ step: 'risk', verdict: 'allow', reason_codes: [], details: { mode: 'reserve', reservation_id: 'r1', outcome: 'allowed', idempotent_replay: false } });
    expect(riskReserveStep({ denied: ['engine_open_risk_cap'], message: 'm' })).toEqual({ step: 'risk', verdict: 'block', reason_codes: ['engine_open_risk_cap'], details: { mode: 'reserve', message: 'm' } });
  });

  it('heimdall: not eligible blocks with the gate_reason alone, every code in the details', () => {
    expect(heimdallStep(null)).toMatchObject({ step: 'heimdall', verdict: 'allow', details: { skipped: expect.any(String) } });
    const e = { recommendation_id: 'x', domain: 'D', prod_eligible: false, gate_reason: 'insufficient_sandbox_trials', reason_codes: ['insufficient_sandbox_trials', 'sandbox_success_rate_below_threshold'] };
    expect(heimdallStep(e)).toEqual({ step: 'heimdall', verdict: 'block', reason_codes: ['insufficient_sandbox_trials'], details: { recommendation_id: 'x', domain: 'D', gate_reason: 'insufficient_sandbox_trials', heimdall_reason_codes: e.reason_codes } });
    expect(heimdallStep({ ...e, prod_eligible: true, gate_reason: 'gate_pass', reason_codes: [] })).toMatchObject({ verdict: 'allow', details: { gate_reason: 'gate_pass' } });
  });

  it('engine throttle: reads the risk policy; disabled blocks engine_throttled, under the trace key tripwire', () => {
    expect(engineThrottleStep(undefined, undefined)).toMatchObject({ step: 'tripwire', verdict: 'allow', details: { skipped: expect.any(String) } });
    expect(engineThrottleStep('E', null)).toEqual({ step: 'tripwire', verdict: 'allow', reason_codes: [], details: { engine: 'E', policy: 'none' } });
    const p = { enabled: true, disabled_reason: null, updated_by: 'op', updated_at: 't' };
    expect(engineThrottleStep('E', p)).toMatchObject({ verdict: 'allow', details: { policy: 'enabled' } });
    expect(engineThrottleStep('E', { ...p, enabled: false, disabled_reason: 'regressed', updated_by: 'regression_tripwire' })).toEqual({
      step: 'tripwire',
      verdict: 'block',
      reason_codes: ['engine_throttled'],
      details: { engine: 'E', disabled_reason: 'regressed', disabled_by: 'regression_tripwire', since: 't' },
    });
  });
});
