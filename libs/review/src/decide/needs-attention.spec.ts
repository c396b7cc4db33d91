import { needsAttention } from './needs-attention.js';

describe('needs attention', () => {
  it('lists an engine at or over 80% of its loss cap, a triggered tripwire, approvals about to expire and a failed job, in that order', () => {
    const items = needsAttention({
      risk: {
        peaks: [
          { engine: 'A', max_loss_ratio: '0.8000', max_loss_day: '2026-11-24' },
          { engine: 'B', max_loss_ratio: '0.7999', max_loss_day: '2026-11-24' },
          { engine: 'C', max_loss_ratio: null, max_loss_day: null },
        ],
      },
      regression_tripwire: { current_states: [{ domain: 'D', metric: 'm', status: 'triggered', action: 'THROTTLE' }, { domain: 'D', metric: 'n', status: 'ok', action: null }] },
      approvals: { expiring_within_24h: 2, pending_now: 3 },
      jobs: { runs: [{ job: 'x', status: 'failed', error: 'boom' }, { job: 'y', status: 'succeeded', error: null }, { job: 'z', status: null, error: null }] },
    });
    expect(items.map((i) => [i.kind, i.subject])).toEqual([
      ['loss_cap_near', 'engine:A'],
      ['tripwire_triggered', 'tripwire:D/m'],
      ['approvals_expiring', 'approvals'],
      ['job_failed', 'job:x'],
    ]);
    expect(items[0].message).toBe('A reached 80% of its daily loss cap on 2026-11-24');
  });

  it("lists a domain whose newest promotion verdict of the week is a demotion, after the tripwires; not one without a domain or promoted again", () => {
    const items = needsAttention({
      regression_tripwire: { current_states: [{ domain: 'D', metric: 'm', status: 'triggered', action: null }] },
      promotion: {
        domains: [
          { domain: 'OFFERS', latest_verdict: 'demote', reason_codes: [{ reason_code: 'alignment_veto' }] },
          { domain: 'MATCH', latest_verdict: 'promote', reason_codes: [{ reason_code: 'alignment_veto' }] },
          { domain: null, latest_verdict: 'demote', reason_codes: [] },
        ],
      },
      approvals: { expiring_within_24h: 1 },
    });
    expect(items.map((i) => [i.kind, i.subject])).toEqual([
      ['tripwire_triggered', 'tripwire:D/m'],
      ['promotion_demoted', 'promotion:OFFERS'],
      ['approvals_expiring', 'approvals'],
    ]);
    expect(items[1].message).toBe('OFFERS was demoted by its latest promotion verdict (alignment_veto)');
  });

  it('is empty for a quiet week or missing sections', () => {
    expect(needsAttention({})).toEqual([]);
    expect(needsAttention({ approvals: { expiring_within_24h: 0 } })).toEqual([]);
  });
});
