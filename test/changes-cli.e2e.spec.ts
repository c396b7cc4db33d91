import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_YAML } from '#changes';
import { changeCheck } from '../apps/cli/src/commands/change-commands.js';
import { BUILD_TIMEOUT_MS, buildDist } from './support/build.js';
import { useChildProcesses } from './support/spawn.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { change, C } from './support/factories/changes.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-change-'));
let n = 0;
const file = (content: unknown) => {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

/** The HTTP answer with what only a stored request has (its id, approval, times, filer) cleared, as the CLI leaves them. */
function offline(body: Record<string, unknown>) {
  const { requested_by: _by, decided_at: _d, decision_reason: _r, ...rest } = body;
  return { ...rest, request_id: null, created_at: null, ...('approval_id' in rest ? { approval_id: null, expires_at: null } : {}) };
}

describe('warden change check: offline, the same JSON as the HTTP answer', () => {
  let t: TestApp;
  let engine: string;
  beforeAll(async () => {
    t = await startTestApp();
    engine = await t.token('engine');
  });
  afterAll(() => t?.close());

  it.each([
    ['tier 1', {}, 0],
    ['tier 2', { risk_level: 'medium' }, 0],
    ['tier 3', { paths: ['src/app/x.py', 'tests/test_x.py'] }, 4],
    ['tier 4', { paths: ['config/production.yaml'], diff_stats: { lines_changed: 3, lines_removed: 1 } }, 4],
  ])('%s: exit code and JSON equal to the server\'s decision', async (_name, over, exit) => {
    const body = change(over);
    const http = await t.http('POST', C, body, { token: engine });
    const cli = changeCheck({ change: file(body), json: true });
    expect(cli.exitCode).toBe(exit);
    expect(JSON.parse(cli.stdout)).toEqual(offline(http.body));
    // Deterministic: the same files print the same bytes.
    expect(changeCheck({ change: file(body), json: true }).stdout).toBe(cli.stdout);
  });

  it('a policy file decides instead of the built-in one; invalid input is exit 6 with the reason codes', () => {
    const tight = file(DEFAULT_POLICY_YAML.replace('max_lines_changed: 100', 'max_lines_changed: 10'));
    const held = changeCheck({ change: file(change()), policy: tight, json: true });
    expect([held.exitCode, JSON.parse(held.stdout).reason_codes]).toEqual([4, ['too_many_lines']]);
    const bad = changeCheck({ change: file(change({ paths: ['../x', '/abs'] })), json: true });
    expect(bad.exitCode).toBe(6);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: 'invalid_change', reason_codes: ['path_climbs_out', 'path_absolute'] });
    expect(changeCheck({ change: file('{nope'), json: true }).exitCode).toBe(6);
    expect(changeCheck({ change: join(dir, 'missing.json') }).exitCode).toBe(6);
    expect(JSON.parse(changeCheck({ change: file(change()), policy: file('version: 2'), json: true }).stdout)).toMatchObject({ ok: false, error: 'invalid_policy' });
    expect(changeCheck({ change: file(change()) }).stdout).toMatch(/^change check: tier=1 auto_approved=true risk_level=low/);
  });
});

describe('the real `warden` binary: exit codes as a CI job sees them', () => {
  const spawn = useChildProcesses();
  beforeAll(() => buildDist(), BUILD_TIMEOUT_MS);

  it('0 auto-approved, 4 held, 6 invalid or a usage error', async () => {
    const run = async (...args: string[]) => {
      const child = spawn(process.execPath, ['bin/warden.mjs', 'change', 'check', ...args]);
      return { code: (await child.closed).code, stdout: child.stdout() };
    };
    const ok = await run('--change', file(change()), '--json');
    expect([ok.code, JSON.parse(ok.stdout).tier]).toEqual([0, 1]);
    expect((await run('--change', file(change({ paths: ['.env.local'] })), '--json')).code).toBe(4);
    expect((await run('--change', file(change({ paths: ['../x'] })))).code).toBe(6);
    const usage = await run('--json');
    expect([usage.code, JSON.parse(usage.stdout).ok]).toEqual([6, false]);
  });
});
