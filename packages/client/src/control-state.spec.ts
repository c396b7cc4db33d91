import { ControlState, type StreamSnapshot } from './control-state.js';

const BOUND = 10_000;
const snapshot = (killSwitch = false): StreamSnapshot => ({
  position: '41',
  resumed: false,
  reason: 'no_last_event_id',
  state: {
    go_live: { go_live_enabled: true, kill_switch_engaged: killSwitch, reason: null },
    risk: { GLOBAL: { engine: 'GLOBAL', enabled: true }, WHOLESALE: { engine: 'WHOLESALE', enabled: true, throttled_by: null } },
    heimdall: { WHOLESALE_OFFER: { domain: 'WHOLESALE_OFFER', prod_use_enabled: true } },
    gate: { default: { name: 'default', active_digest: 'abc', mode: 'enforce' } },
  },
});

function fresh(killSwitch = false): ControlState {
  const s = new ControlState(BOUND);
  s.heard(0);
  s.applySnapshot(snapshot(killSwitch), '41');
  return s;
}

describe('ControlState', () => {
  it('fails closed before any snapshot: engaged, nothing enabled', () => {
    const s = new ControlState(BOUND);
    s.heard(0);
    expect(s.isFresh(0)).toBe(false);
    expect(s.killSwitchEngaged(0)).toBe(true);
    expect(s.goLiveEnabled(0)).toBe(false);
    expect(s.engineEnabled('WHOLESALE', 0)).toBe(false);
    expect(s.prodUseEnabled('WHOLESALE_OFFER', 0)).toBe(false);
  });

  it('answers from the snapshot while fresh, and fails closed once silent past the bound', () => {
    const s = fresh();
    expect(s.lastEventId).toBe('41');
    for (const now of [0, BOUND]) {
      expect(s.killSwitchEngaged(now)).toBe(false);
      expect(s.goLiveEnabled(now)).toBe(true);
      expect(s.engineEnabled('WHOLESALE', now)).toBe(true);
      expect(s.prodUseEnabled('WHOLESALE_OFFER', now)).toBe(true);
    }
    const late = BOUND + 1;
    expect(s.killSwitchEngaged(late)).toBe(true);
    expect(s.goLiveEnabled(late)).toBe(false);
    expect(s.engineEnabled('WHOLESALE', late)).toBe(false);
    expect(s.prodUseEnabled('WHOLESALE_OFFER', late)).toBe(false);
    // A heartbeat makes it current again.
    s.heard(late);
    expect(s.killSwitchEngaged(late)).toBe(false);
  });

  it('applies deltas (twice is harmless) and records the id to resume after', () => {
    const s = fresh();
    const engage = { id: '42', type: 'kill_switch.engaged', lever: 'go_live', at: '', data: { go_live_enabled: true, kill_switch_engaged: true, reason: 'incident' } };
    for (let i = 0; i < 2; i++) s.applyDelta(engage, '42');
    expect(s.killSwitchEngaged(1)).toBe(true);
    expect(s.prodUseEnabled('WHOLESALE_OFFER', 1)).toBe(false); // the kill switch closes Heimdall too
    expect(s.lastEventId).toBe('42');
    s.applyDelta({ id: '43', type: 'engine.throttled', lever: 'risk', at: '', data: { engine: 'WHOLESALE', enabled: false, throttled_by: 'tripwire' } }, '43');
    expect(s.engineEnabled('WHOLESALE', 1)).toBe(false);
    expect(s.engines.get('WHOLESALE')?.throttled_by).toBe('tripwire');
    s.applyDelta({ id: '44', type: 'approval.approved', lever: 'approvals', at: '', data: { approval_id: 'a1', status: 'approved' } }, '44');
    expect(s.approvals.get('a1')?.status).toBe('approved');
    expect(s.applyDelta({ id: '45', type: 'x.y', lever: 'rate_limiter', at: '', data: {} }, '45')).toBe(false);
    expect(s.lastEventId).toBe('45');
  });

  it('an engine is off when GLOBAL is off, when unknown (another binding), or when GLOBAL is unseen', () => {
    const s = fresh();
    expect(s.engineEnabled('CAPITAL', 1)).toBe(false);
    s.applyDelta({ id: '46', type: 'risk_policy.disabled', lever: 'risk', at: '', data: { engine: 'GLOBAL', enabled: false } }, '46');
    expect(s.engineEnabled('WHOLESALE', 1)).toBe(false);
    const noGlobal = new ControlState(BOUND);
    noGlobal.heard(0);
    noGlobal.applySnapshot({ ...snapshot(), state: { ...snapshot().state, risk: { WHOLESALE: { engine: 'WHOLESALE', enabled: true } } } }, '1');
    expect(noGlobal.engineEnabled('WHOLESALE', 0)).toBe(false);
  });

  it('a new snapshot replaces everything (a resume beyond retention)', () => {
    const s = fresh();
    s.applyDelta({ id: '47', type: 'risk_policy.enabled', lever: 'risk', at: '', data: { engine: 'GONE', enabled: true } }, '47');
    s.applySnapshot(snapshot(true), '90');
    expect(s.engines.has('GONE')).toBe(false);
    expect(s.killSwitchEngaged(1)).toBe(true);
    expect(s.lastEventId).toBe('90');
  });
});
