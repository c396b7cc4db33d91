import fc from 'fast-check';
import { admit, isExemptPath } from './admission.js';

const base = { path: '/api/deals', executionClass: 'READ' as const, enforced: false, goLiveEnabled: false, killSwitchEngaged: false };

describe('go-live admission', () => {
  it('lets everything through when not enforced and the kill switch is released', () => {
    expect(admit(base)).toEqual({ allowed: true });
    expect(admit({ ...base, executionClass: 'PROD_EXEC' })).toEqual({ allowed: true });
  });

  it('blocks every non-exempt request when enforced and disabled', () => {
    expect(admit({ ...base, enforced: true })).toMatchObject({ allowed: false, code: 'go_live_disabled' });
    expect(admit({ ...base, enforced: true, goLiveEnabled: true })).toEqual({ allowed: true });
  });

  it('the kill switch blocks PROD_EXEC in every environment, and only PROD_EXEC', () => {
    expect(admit({ ...base, killSwitchEngaged: true, executionClass: 'PROD_EXEC' })).toMatchObject({ code: 'kill_switch_engaged' });
    expect(admit({ ...base, killSwitchEngaged: true, executionClass: 'READ' })).toEqual({ allowed: true });
    expect(admit({ ...base, killSwitchEngaged: true, executionClass: 'SANDBOX' })).toEqual({ allowed: true });
  });

  it('exempts governance, health, docs and metrics', () => {
    for (const p of ['/api/governance/go-live/state', '/health', '/docs', '/docs-json', '/metrics', '/console', '/console/sign-in', '/console/assets/console.js']) expect(isExemptPath(p)).toBe(true);
    for (const p of ['/api/deals', '/healthz', '/api/governancex', '/metricsx', '/consolex']) expect(isExemptPath(p)).toBe(false);
  });

  it('never allows PROD_EXEC on a protected path while the kill switch is engaged', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.stringMatching(/^\/api\/[a-z]{1,10}$/), (enforced, enabled, path) => {
        const r = admit({ path, executionClass: 'PROD_EXEC', enforced, goLiveEnabled: enabled, killSwitchEngaged: true });
        return path.startsWith('/api/governance') || !r.allowed;
      }),
    );
  });
});
