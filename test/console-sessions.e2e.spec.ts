import { startTestApp, type TestApp } from './support/test-app.js';

// Console sessions through the real sign-in route: a stolen cookie does not live forever once its
// owner stops using it (idle timeout), and signing in again and again does not pile up live
// sessions (a cap per person; the oldest goes).

const STATE = '/api/governance/go-live/state';

describe('console sessions: idle timeout and a cap per person', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  async function signIn(token: string): Promise<string> {
    const res = await fetch(`${t.url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const cookie = /warden_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    expect(cookie).toBeDefined();
    return cookie!;
  }
  const read = async (session: string) => (await fetch(t.url + STATE, { headers: { cookie: `warden_session=${session}` } })).status;

  it('a session unused for 30 minutes is dead server-side; one in use stays alive', async () => {
    const token = await t.token('operator');
    const idle = await signIn(token);
    const used = await signIn(token);
    expect(await read(idle)).toBe(200);
    expect(await read(used)).toBe(200);
    // `used` is used every 20 minutes; `idle` is left alone.
    for (let i = 0; i < 3; i += 1) {
      t.clock.advance(20 * 60_000);
      expect(await read(used)).toBe(200);
    }
    expect(await read(idle)).toBe(401);
    // Dead stays dead, however it is used afterwards.
    expect(await read(idle)).toBe(401);
    t.clock.advance(31 * 60_000);
    expect(await read(used)).toBe(401);
  });

  it('a sixth sign-in revokes the oldest session; five stay live, and concurrent sign-ins keep the cap', async () => {
    const token = await t.token('operator');
    const sessions: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      sessions.push(await signIn(token));
      t.clock.advance(1000);
    }
    for (const s of sessions) expect(await read(s)).toBe(200);
    const sixth = await signIn(token);
    expect(await read(sessions[0])).toBe(401);
    for (const s of [...sessions.slice(1), sixth]) expect(await read(s)).toBe(200);

    const [{ id }] = await t.sql(`SELECT id FROM api_token WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [token]);
    const [audit] = await t.sql(
      `SELECT details FROM audit_log WHERE action = 'console.sign_in' AND subject = $1 ORDER BY id DESC LIMIT 1`,
      [`token:${id}`],
    );
    expect(audit.details).toMatchObject({ revoked_oldest_sessions: 1 });

    // Eight sign-ins at once: still at most five live sessions for this token.
    await Promise.all(Array.from({ length: 8 }, () => signIn(token)));
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM console_session WHERE token_id = $1 AND revoked_at IS NULL`, [id]);
    expect(n).toBe(5);
  });

  it('sign-out ends the session and is audited', async () => {
    const token = await t.token('operator');
    const session = await signIn(token);
    const page = await fetch(`${t.url}/console`, { headers: { cookie: `warden_session=${session}` } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(csrf).toBeDefined();
    const out = await fetch(`${t.url}/console/sign-out`, {
      method: 'POST',
      headers: { cookie: `warden_session=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrf! }).toString(),
      redirect: 'manual',
    });
    expect(out.status).toBe(303);
    expect(await read(session)).toBe(401);
    const [{ id }] = await t.sql(`SELECT id FROM api_token WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [token]);
    expect(await t.sql(`SELECT 1 FROM audit_log WHERE action = 'console.sign_out' AND subject = $1`, [`token:${id}`])).toHaveLength(1);
  });

  it('the cap counts the person, not the token: two tokens of one owner share five sessions', async () => {
    const owner = `pat-${Date.now().toString(36)}`;
    const [first, second] = await Promise.all([0, 1].map(async () => (await t.http('POST', '/api/governance/tokens', { name: `${owner}-${Math.random().toString(36).slice(2, 8)}`, role: 'operator', owner })).body.token as string));
    const sessions: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      sessions.push(await signIn(first));
      t.clock.advance(1000);
    }
    // The other token of the same person signs in: the person's oldest session goes, whichever token opened it.
    const sixth = await signIn(second);
    expect(await read(sessions[0])).toBe(401);
    for (const s of [...sessions.slice(1), sixth]) expect(await read(s)).toBe(200);
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM console_session WHERE person = $1 AND revoked_at IS NULL`, [`token:${owner}`]);
    expect(n).toBe(5);
    // Both at once, many times: still five for the person.
    await Promise.all(Array.from({ length: 8 }, (_, i) => signIn(i % 2 ? first : second)));
    const [{ m }] = await t.sql(`SELECT count(*)::int AS m FROM console_session WHERE person = $1 AND revoked_at IS NULL`, [`token:${owner}`]);
    expect(m).toBe(5);
  });

  it('the cap is per person: another token signing in revokes nothing of the first', async () => {
    const mine = await t.token('operator');
    const theirs = await t.token('operator');
    const kept = await signIn(mine);
    for (let i = 0; i < 6; i += 1) await signIn(theirs);
    expect(await read(kept)).toBe(200);
  });
});
