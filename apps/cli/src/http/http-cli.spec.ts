import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, errorFromAnswer, EXIT, exitCodeForStatus } from './exit.js';
import { pending, print, printError } from './output.js';
import { approvalDetail, decisionsLine, type ApprovalView } from './render.js';
import { parseDuration } from './run.js';
import { resolveConnection } from './settings.js';
import { SseParser } from './sse.js';

const approval = (over: Partial<ApprovalView> = {}): ApprovalView => ({
  id: '6f1c2d3e-0000-4000-8000-000000000001',
  kind: 'gate_intent',
  subject: 'gate_policy:prod',
  payload: null,
  requested_by: 'pricing-bot',
  reason: 'write to prod',
  risk_level: 'high',
  min_approvals: 2,
  approvals: 1,
  status: 'pending',
  created_at: '2026-12-08T10:00:00.000Z',
  expires_at: '2026-12-08T11:00:00.000Z',
  decisions: [{ approver: 'alice-ops', approver_person: 'token:alice', decision: 'approve', reason: null, decided_at: '2026-12-08T10:01:00.000Z' }],
  ...over,
});

describe('HTTP CLI: the pure parts', () => {
  it('SSE: events split across chunks, CRLF, comments, ids', () => {
    const p = new SseParser();
    const comments: string[] = [];
    expect(p.push('retry: 1000\r\n\r\nid: 4', (c) => comments.push(c))).toEqual([]);
    expect(p.push('1\nevent: snapshot\ndata: {"a":\ndata: 1}\n\n: hb\n', (c) => comments.push(c))).toEqual([{ id: '41', event: 'snapshot', data: '{"a":\n1}' }]);
    expect(p.push('id: 42\r')).toEqual([]);
    expect(p.push('\nevent: kill_switch.engaged\ndata: x\n\n')).toEqual([{ id: '42', event: 'kill_switch.engaged', data: 'x' }]);
    expect([comments, p.lastId]).toEqual([['hb'], '42']);
  });

  it('exit codes: 401 and a role too low are 7, a refusal 3, 404 8, 400 6, 503 5, else 1', () => {
    expect([401, 403, 404, 400, 409, 412, 503, 500].map((s) => exitCodeForStatus(s, s === 403 ? 'self_decision_forbidden' : undefined))).toEqual([7, 3, 8, 6, 3, 3, 5, 1]);
    expect(exitCodeForStatus(403, 'forbidden')).toBe(EXIT.unauthorized);
    const e = errorFromAnswer(403, { statusCode: 403, error: 'risk_denied', message: 'denied', reason_codes: ['policy_disabled'] }, 'x');
    expect([e.exitCode, e.code, e.message, e.extra]).toEqual([3, 'risk_denied', 'x: denied', { status: 403, reason_codes: ['policy_disabled'] }]);
    expect(errorFromAnswer(502, '<html>', 'x').code).toBe('http_502');
  });

  it('--json: pending is never ok; errors are one line {ok:false, error, message}', () => {
    const p = print(pending({ approval_id: 'A1', status: 'pending', expires_at: 'T' }, 'the release'), true);
    expect([p.exitCode, JSON.parse(p.stdout)]).toEqual([4, expect.objectContaining({ ok: false, pending: true, error: 'approval_pending', approval_id: 'A1' })]);
    expect(print(pending({ approval_id: 'A1' }, 'the release'), false).stdout).toMatch(/^PENDING \(not done\)/);
    const err = printError(new CliError(7, 'unauthorized', 'nope', { status: 401 }), true);
    expect([err.exitCode, err.stdout]).toEqual([7, '{"ok":false,"error":"unauthorized","message":"nope","status":401}\n']);
    expect(printError(new Error('boom'), false)).toEqual({ exitCode: 1, stdout: '', stderr: 'warden: boom (internal)\n' });
  });

  it('approvals show: a gate intent by its fields, a change request by its diff, the decisions so far', () => {
    const intent = approval({
      payload: {
        intent: { tool_name: 'tool.write', args: { path: '/x' }, targets: [{ kind: 'path', value: '/x', operation: 'write' }], context: { identity: 'agent-a', workspace: '/w', risk_class: 'high' } },
        policy_digest: 'abc', engine: 'WHOLESALE', amount: '10.5', reserve: true, domain: null, recommendation_id: null,
      },
    });
    const text = approvalDetail(intent);
    for (const l of ['tool:       tool.write', 'identity:   agent-a', 'targets:    path:/x (write)', 'engine:     WHOLESALE', 'amount:     10.5 (reserve on approval)', 'approvals:  1 of 2, by alice-ops (token:alice)']) expect(text).toContain(l);
    const change = approval({ kind: 'change_request', payload: { change_request: { control: 'risk_caps', subject: 'WHOLESALE', base_version: '3', before: {}, after: {}, diff: [{ path: 'max_open_risk', before: '100', after: '90' }] } } });
    expect(approvalDetail(change)).toContain('max_open_risk: "100" → "90"');
    expect(decisionsLine(approval({ approvals: 0, status: 'rejected', decisions: [{ approver: 'bob', decision: 'reject', reason: 'no' }] }))).toBe('0 of 2; rejected by bob: no');
  });

  it('connection: flags over the environment over the config file; the file must be valid; no server 2, no token 7', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-cfg-'));
    const cfg = join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify({ server: 'http://file:1/', token: 'file-token' }));
    chmodSync(cfg, 0o644);
    const fromFile = resolveConnection({}, { WARDEN_CONFIG: cfg });
    expect(fromFile).toMatchObject({ server: 'http://file:1', token: 'file-token', configFile: cfg, warning: expect.stringContaining('chmod 600') });
    chmodSync(cfg, 0o600);
    expect(resolveConnection({}, { WARDEN_CONFIG: cfg }).warning).toBeUndefined();
    expect(resolveConnection({ token: 'flag' }, { WARDEN_CONFIG: cfg, WARDEN_URL: 'https://env:2' })).toMatchObject({ server: 'https://env:2', token: 'flag' });
    expect(resolveConnection({}, { HOME: dir, WARDEN_URL: 'http://a', WARDEN_TOKEN: 't' })).toEqual({ server: 'http://a', token: 't' });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as CliError).exitCode, (e as CliError).code];
      }
      return null;
    };
    expect(code(() => resolveConnection({}, { HOME: dir }))).toEqual([2, 'no_server']);
    expect(code(() => resolveConnection({}, { HOME: dir, WARDEN_URL: 'http://a' }))).toEqual([7, 'no_token']);
    expect(code(() => resolveConnection({}, { WARDEN_CONFIG: join(dir, 'missing.json') }))).toEqual([2, 'config_unreadable']);
    writeFileSync(cfg, '{"token": "secret-value",');
    const bad = (() => {
      try {
        resolveConnection({}, { WARDEN_CONFIG: cfg });
      } catch (e) {
        return e as CliError;
      }
    })();
    expect([bad?.code, bad?.message.includes('secret-value')]).toEqual(['config_invalid', false]);
    expect(code(() => resolveConnection({ server: 'ftp://x', token: 't' }, {}))).toEqual([2, 'invalid_server']);
  });

  it('durations', () => {
    expect(['500ms', '30s', '5m', '1h', '2'].map(parseDuration)).toEqual([500, 30_000, 300_000, 3_600_000, 2000]);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });
});
