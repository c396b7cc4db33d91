import { stateFromNotice } from './go-live.repository.js';

describe('stateFromNotice', () => {
  const row = { go_live_enabled: true, kill_switch_engaged: true, reason: 'drill', changed_by: 'ops', updated_at: '2026-11-30T12:00:00.000Z', version: '42' };

  it('takes the committed row a change notified', () => {
    expect(stateFromNotice(JSON.stringify(row))).toEqual({ ...row, updated_at: new Date(row.updated_at) });
  });

  it.each(['42', 'reconnected', '', '{}', JSON.stringify({ ...row, version: 42 }), JSON.stringify({ ...row, kill_switch_engaged: 'yes' })])(
    'answers undefined for %p, so the instance re-reads the row instead',
    (payload) => expect(stateFromNotice(payload)).toBeUndefined(),
  );
});
