import { startTestApp, type TestApp } from './support/test-app.js';

// The audit trail pages like every event list: ?before=&limit= -> {items, next_cursor}, with since/until.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const AUDIT = '/api/governance/audit';

it('pages newest first with ?before=<next_cursor>, and the last page links to nothing', async () => {
  const operator = await t.token('operator');
  await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'paging 1' }, { token: operator });
  await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'paging 2' }, { token: operator });
  const first = await t.http('GET', `${AUDIT}?subject=go_live&limit=1`, undefined, { token: operator });
  expect(first.status).toBe(200);
  expect(first.body.items.map((i: { reason: string }) => i.reason)).toEqual(['paging 2']);
  expect(first.body.next_cursor).toBe(first.body.items[0].id);
  const second = await t.http('GET', `${AUDIT}?subject=go_live&limit=1&before=${first.body.next_cursor}`, undefined, { token: operator });
  expect(second.body.items.map((i: { reason: string }) => i.reason)).toEqual(['paging 1']);
  // Exactly `limit` rows left: before, the page pointed at an empty next page; now it says there is none.
  expect(second.body.next_cursor).toBeNull();
  expect(second.body.items[0]).toEqual({
    id: expect.any(String),
    at: expect.stringMatching(/Z$/),
    principal: expect.stringMatching(/^operator-/),
    principal_token_id: expect.any(String),
    actor_label: null,
    action: 'go_live.kill_switch.engage',
    subject: 'go_live',
    reason: 'paging 1',
    details: expect.any(Object),
  });
});

it('filters by [since, until) and refuses a malformed cursor', async () => {
  const [{ at }] = await t.sql<{ at: Date }>(`SELECT max(at) AS at FROM audit_log`);
  const after = new Date(at.getTime() + 1).toISOString();
  expect((await t.http('GET', `${AUDIT}?since=${after}`)).body.items).toEqual([]);
  const until = await t.http('GET', `${AUDIT}?until=${after}&limit=500`);
  expect(until.body.items.length).toBeGreaterThan(0);
  const bad = await t.http('GET', `${AUDIT}?before=abc`);
  expect(bad.status).toBe(400);
  expect(bad.body.error).toBe('validation_failed');
});
