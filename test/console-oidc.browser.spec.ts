import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import Provider from 'oidc-provider';
import pw from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { APPROVALS, goLiveApi } from './support/factories/go-live.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Console sign-in through a real OpenID provider (issue 22, item 5): `oidc-provider` runs in this
 * process as the company's IdP (its development login form: any login, any password), Warden is
 * configured for it, and Debian's chromium signs in through both. The IdP answers on `localhost`,
 * Warden on `127.0.0.1`: two sites, so the SameSite rules are the ones a real deployment meets.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const OUT = 'test-output/console-oidc';
const G = '/api/governance';
const CLIENT_ID = 'warden-console';
const CLIENT_SECRET = 'test-client-secret-never-logged-0123456789';

/** The IdP's people: login → groups. */
const PEOPLE: Record<string, { username: string; groups: string[] }> = {
  'olga-7f3a': { username: 'olga', groups: ['staff', 'warden-ops'] },
  'adam-91c2': { username: 'adam', groups: ['warden-admins'] },
  'nora-55e0': { username: 'nora', groups: ['staff', 'Warden-Ops'] },
  'sara-0b4d': { username: 'sara', groups: ['warden-ops'] },
};

let idp: Server;
let issuer: string;
let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const logged: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  mkdirSync(OUT, { recursive: true });
  const wardenPort = await freePort();
  const wardenUrl = `http://127.0.0.1:${wardenPort}`;
  idp = createServer();
  await new Promise<void>((resolve) => idp.listen(0, resolve));
  issuer = `http://localhost:${(idp.address() as { port: number }).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${wardenUrl}/console/sign-in/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // Warden must send PKCE whatever the client type.
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['preferred_username', 'groups'] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    async findAccount(_ctx: unknown, id: string) {
      const person = PEOPLE[id];
      return person ? { accountId: id, claims: async () => ({ sub: id, preferred_username: person.username, groups: person.groups }) } : undefined;
    },
  });
  idp.on('request', provider.callback());
  t = await startTestApp({
    port: wardenPort,
    env: {
      WARDEN_TWO_PERSON: 'kill_switch_release',
      WARDEN_PUBLIC_URL: wardenUrl,
      WARDEN_OIDC_ISSUER: issuer,
      WARDEN_OIDC_CLIENT_ID: CLIENT_ID,
      WARDEN_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      WARDEN_OIDC_ROLES: 'warden-admins=admin,warden-ops=operator',
      // The stream checks its subscribers at each heartbeat: often, so the sign-out test sees it soon.
      WARDEN_STREAM_HEARTBEAT_MS: '300',
      LOG_LEVEL: 'debug',
    },
    logDestination: { write: (line: string) => void logged.push(line) },
  });
  browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}, 180_000);

afterAll(async () => {
  try {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  } finally {
    await t?.close();
    await new Promise((resolve) => idp?.close(resolve));
  }
}, 60_000);

async function fresh(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  contexts.push(context);
  return context.newPage();
}

/** From Warden's sign-in page through the IdP's login and consent; stops wherever Warden answers. */
async function signIn(page: Page, login: string): Promise<void> {
  await page.goto(`${t.url}/console/sign-in`);
  await page.click('#sign-in-oidc');
  await page.waitForURL((u) => u.origin === issuer);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  // The provider asks for consent on a new grant; then it sends the browser back to Warden.
  const consent = page.locator('input[name=prompt][value=consent]');
  await Promise.race([consent.waitFor({ state: 'attached', timeout: 30_000 }), page.waitForURL((u) => u.origin === t.url, { timeout: 30_000 })]);
  if (new URL(page.url()).origin === issuer) await page.click('button:has-text("Continue")');
  await page.waitForURL((u) => u.origin === t.url, { timeout: 30_000 });
  await page.waitForLoadState();
  // Signed in: our own page moves on to the console (a refresh); refused: the sign-in page says why.
  if ((await page.locator('[data-error]').count()) === 0) await page.waitForURL(`${t.url}/console`, { timeout: 30_000 });
}

async function sessionCookie(page: Page): Promise<string | undefined> {
  return (await page.context().cookies(t.url)).find((c) => c.name === 'warden_session')?.value;
}

/** An API call from the signed-in page, as the console's own scripts make it (cookie + CSRF header). */
async function fromPage(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const csrf = (await page.locator('meta[name="warden-csrf"]').getAttribute('content'))!;
  return page.evaluate(
    async ({ method, path, body, csrf }) => {
      const res = await fetch(path, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, path, body, csrf },
  );
}

const personOf = (login: string) => `oidc:${issuer}#${login}`;

describe('console sign-in through an OpenID provider (real IdP, real browser, real PostgreSQL)', () => {
  it('the sign-in page offers the company account beside the token form (break-glass)', async () => {
    const page = await fresh();
    await page.goto(`${t.url}/console/sign-in`);
    expect(await page.locator('#sign-in-oidc').getAttribute('href')).toBe('/console/sign-in/oidc');
    expect(await page.locator('input[name=token]').count()).toBe(1);
    await page.screenshot({ path: `${OUT}/sign-in.png`, fullPage: true });
  });

  it('an operator signs in (groups → operator), approves a release another person filed, and the switch opens', async () => {
    const api = goLiveApi(t);
    const requester = await t.token('operator');
    expect((await api.engage('incident 22', requester)).status).toBe(200);
    const asked = await api.release('all clear', requester);
    expect(asked.status).toBe(202);

    const page = await fresh();
    await signIn(page, 'olga-7f3a');
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await page.locator('meta[name="warden-role"]').getAttribute('content')).toBe('operator');
    expect(await page.locator('[data-testid=principal]').textContent()).toBe('oidc:olga');
    await page.screenshot({ path: `${OUT}/signed-in-operator.png`, fullPage: true });
    // The flow's cookie is gone; the session's is HttpOnly and SameSite=Strict.
    const cookies = await page.context().cookies(t.url);
    expect(cookies.find((c) => c.name === 'warden_oidc')).toBeUndefined();
    expect(cookies.find((c) => c.name === 'warden_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    const approved = await fromPage(page, 'POST', `${APPROVALS}/${asked.body.approval_id}/approve`, { reason: 'checked the incident' });
    expect(approved.status).toBe(200);
    // The state read is cached for up to GO_LIVE_CACHE_BOUND_MS: wait for it, generously.
    for (let i = 0; i < 100 && (await api.state(requester)).body.kill_switch_engaged; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await api.state(requester)).body.kill_switch_engaged).toBe(false);
    const [decision] = await t.sql(`SELECT approver, approver_token, approver_person FROM approval_decision WHERE approval_id = $1`, [asked.body.approval_id]);
    expect(decision).toEqual({ approver: 'oidc:olga', approver_token: personOf('olga-7f3a'), approver_person: personOf('olga-7f3a') });
    const [audit] = await t.sql(`SELECT principal, principal_token_id, details FROM audit_log WHERE action = 'console.sign_in' AND subject = $1 ORDER BY id DESC LIMIT 1`, [personOf('olga-7f3a')]);
    expect(audit).toMatchObject({ principal: 'oidc:olga', principal_token_id: personOf('olga-7f3a'), details: { method: 'oidc', role: 'operator', groups: ['warden-ops'], issuer } });
    // An operator is not an admin: token management stays closed.
    expect((await fromPage(page, 'GET', `${G}/tokens`)).status).toBe(403);
  });

  it('one person counts once on an N-of-2 request: a second sign-in and a token that person created do not add up', async () => {
    // Adam (an admin through his group) creates a token for himself from his SSO session: it is his.
    const adam = await fresh();
    await signIn(adam, 'adam-91c2');
    const minted = await fromPage(adam, 'POST', `${G}/tokens`, { name: `adam-cli-${Date.now().toString(36)}`, role: 'operator' });
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({ person: personOf('adam-91c2'), created_by_person: personOf('adam-91c2') });
    t.clock.advance(1000);

    const filer = await t.token('operator');
    const filed = await t.http('POST', APPROVALS, { kind: 'manual', subject: `oidc-${Date.now()}`, reason: 'two of them', min_approvals: 2 }, { token: filer });
    expect(filed.status).toBe(202);
    const id = filed.body.approval_id as string;
    const counted = async () => (await t.sql(`SELECT status, approvals FROM approval_request WHERE id = $1`, [id]))[0];

    expect((await fromPage(adam, 'POST', `${APPROVALS}/${id}/approve`, { reason: 'first look' })).status).toBe(200);
    // The same person again, through another browser's sign-in and through his own token.
    const adamAgain = await fresh();
    await signIn(adamAgain, 'adam-91c2');
    const again = await fromPage(adamAgain, 'POST', `${APPROVALS}/${id}/approve`, { reason: 'second look' });
    expect([again.status, again.body.error]).toEqual([409, 'already_decided_by_approver']);
    const byToken = await t.http('POST', `${APPROVALS}/${id}/approve`, { reason: 'with my token' }, { token: minted.body.token });
    expect([byToken.status, byToken.body.error, byToken.body.details?.by]).toEqual([409, 'already_decided_by_approver', 'person']);
    expect(await counted()).toEqual({ status: 'pending', approvals: 1 });

    // Another person completes it: Olga, through her own sign-in.
    const olga = await fresh();
    await signIn(olga, 'olga-7f3a');
    expect((await fromPage(olga, 'POST', `${APPROVALS}/${id}/approve`, { reason: 'agreed' })).status).toBe(200);
    expect(await counted()).toEqual({ status: 'approved', approvals: 2 });
  });

  it('an SSO person cannot approve its own request from another session, nor with a token it made', async () => {
    const adam = await fresh();
    await signIn(adam, 'adam-91c2');
    const minted = await fromPage(adam, 'POST', `${G}/tokens`, { name: `adam-spare-${Date.now().toString(36)}`, role: 'operator', owner: 'someone-else' });
    expect(minted.status).toBe(201);
    t.clock.advance(1000);
    const filed = await fromPage(adam, 'POST', APPROVALS, { kind: 'manual', subject: `self-${Date.now()}`, reason: 'mine' });
    expect(filed.status).toBe(202);
    const id = filed.body.approval_id as string;
    const other = await fresh();
    await signIn(other, 'adam-91c2');
    const self = await fromPage(other, 'POST', `${APPROVALS}/${id}/approve`, { reason: 'me again' });
    expect([self.status, self.body.error]).toEqual([403, 'self_decision_forbidden']);
    const puppet = await t.http('POST', `${APPROVALS}/${id}/approve`, { reason: 'my puppet' }, { token: minted.body.token });
    expect([puppet.status, puppet.body.error, puppet.body.details?.rule]).toEqual([403, 'self_decision_forbidden', 'made_by_requester']);
    expect(await t.sql(`SELECT 1 FROM approval_decision WHERE approval_id = $1`, [id])).toHaveLength(0);
  });

  it('a person in no mapped group is refused (403, no session), and the refusal is audited', async () => {
    const page = await fresh();
    await signIn(page, 'nora-55e0');
    expect(await page.locator('[data-error=oidc_no_role]').textContent()).toContain('none of your groups');
    expect(await sessionCookie(page)).toBeUndefined();
    await page.screenshot({ path: `${OUT}/refused-no-group.png`, fullPage: true });
    expect(await t.sql(`SELECT 1 FROM console_session WHERE person = $1`, [personOf('nora-55e0')])).toHaveLength(0);
    const [audit] = await t.sql(`SELECT details FROM audit_log WHERE action = 'console.sign_in_refused' AND subject = $1`, [personOf('nora-55e0')]);
    expect(audit.details).toMatchObject({ reason: 'no_mapped_group', groups: ['staff', 'Warden-Ops'] });
  });

  for (const param of ['state', 'nonce'] as const) {
    it(`a tampered ${param} is refused: no session`, async () => {
      const page = await fresh();
      // Warden's redirect to the provider, with the parameter changed on the way (an attacker's link).
      await page.route(`${t.url}/console/sign-in/oidc`, async (route) => {
        const response = await route.fetch({ maxRedirects: 0 });
        const url = new URL(response.headers().location!);
        url.searchParams.set(param, `${url.searchParams.get(param)}x`);
        await route.fulfill({ response, headers: { ...response.headers(), location: url.href } });
      });
      const before = logged.length;
      await signIn(page, 'olga-7f3a');
      expect(await page.locator('[data-error=oidc_failed]').count()).toBe(1);
      expect(await sessionCookie(page)).toBeUndefined();
      // Refused for that reason (openid-client's check), not another.
      const refusals = logged.slice(before).map((l) => String(JSON.parse(l).msg)).filter((m) => m.startsWith('OIDC sign-in refused'));
      expect(refusals.join('\n')).toContain(`"${param}"`);
    });
  }

  it('a callback replayed, or opened in another browser, is refused: each sign-in finishes once, where it started', async () => {
    const page = await fresh();
    let callback = '';
    page.on('request', (r) => {
      if (r.url().includes('/console/sign-in/oidc/callback')) callback = r.url();
    });
    await signIn(page, 'olga-7f3a');
    expect(await sessionCookie(page)).toBeDefined();
    expect(callback).toContain('code=');
    const elsewhere = await fresh();
    expect((await elsewhere.goto(callback))?.status()).toBe(400);
    expect(await elsewhere.locator('[data-error=oidc_flow_unknown]').count()).toBe(1);
    expect((await page.goto(callback))?.status()).toBe(400);
  });

  it('sign-out revokes the session server-side: the old cookie no longer works', async () => {
    const page = await fresh();
    await signIn(page, 'sara-0b4d');
    const cookie = await sessionCookie(page);
    expect(cookie).toBeDefined();
    const read = async () => (await fetch(`${t.url}${G}/go-live/state`, { headers: { cookie: `warden_session=${cookie}` } })).status;
    expect(await read()).toBe(200);
    // The control-state stream, held with the session: it outlives many heartbeats (each checks the
    // subscriber is still someone), and ends with the person's last session (Sara has only this one).
    const stream = await fetch(`${t.url}${G}/stream`, { headers: { cookie: `warden_session=${cookie}` } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const started = Date.now();
    while ((seen.match(/: hb/g) ?? []).length < 5) {
      const chunk = await reader.read();
      expect(chunk.done).toBe(false);
      seen += decoder.decode(chunk.value);
      expect(Date.now() - started).toBeLessThan(30_000);
    }
    await page.click('text=Sign out');
    await page.waitForURL(`${t.url}/console/sign-in`);
    expect(await read()).toBe(401);
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();
    expect(await Promise.race([ended, new Promise((r) => setTimeout(() => r(false), 30_000))])).toBe(true);
    const [audit] = await t.sql(`SELECT principal FROM audit_log WHERE action = 'console.sign_out' AND subject = $1 ORDER BY id DESC LIMIT 1`, [personOf('sara-0b4d')]);
    expect(audit.principal).toBe('oidc:sara');
  });

  it('an instance started without the OIDC variables accepts no SSO session (token sessions live on)', async () => {
    const page = await fresh();
    await signIn(page, 'olga-7f3a');
    const sso = await sessionCookie(page);
    const signedIn = await fetch(`${t.url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: await t.token('operator') }).toString(),
      redirect: 'manual',
    });
    const byToken = /warden_session=([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')?.[1];
    const plain = await startTestApp({ databaseUrl: t.databaseUrl });
    try {
      const read = async (base: string, cookie?: string) => (await fetch(`${base}${G}/go-live/state`, { headers: { cookie: `warden_session=${cookie}` } })).status;
      expect(await read(t.url, sso)).toBe(200);
      expect(await read(plain.url, sso)).toBe(401);
      expect(await read(plain.url, byToken)).toBe(200);
      // Nor does it offer the provider on its sign-in page, or start a flow.
      expect(await (await fetch(`${plain.url}/console/sign-in`)).text()).not.toContain('sign-in-oidc');
      expect((await fetch(`${plain.url}/console/sign-in/oidc`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('the client secret never reaches the log', () => {
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(CLIENT_SECRET);
  });
});
