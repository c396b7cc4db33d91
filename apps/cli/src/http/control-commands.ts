// `warden status`, `kill-switch engage|release`, `engines list|throttle|reenable`: the console's
// status page and its actions, over HTTP.
import { API, type Answer, type WardenHttp } from './client.js';
import { EXIT } from './exit.js';
import { done, pending, type Outcome } from './output.js';
import { table } from './render.js';
import { invalidInput } from './run.js';
import { waitForApproval } from './wait.js';

interface GoLiveState {
  go_live_enabled: boolean;
  kill_switch_engaged: boolean;
  enforced: boolean;
  reason: string | null;
  changed_by: string;
  updated_at: string;
}

interface RiskPolicy {
  engine: string;
  enabled: boolean;
  disabled_reason: string | null;
  throttled_by: string | null;
  max_daily_exposure: string | null;
  max_open_risk: string | null;
  max_daily_loss: string | null;
  enforcement_mode: string;
  updated_by: string;
  updated_at: string;
}

const killLine = (s: GoLiveState) =>
  s.kill_switch_engaged ? `ENGAGED since ${s.updated_at} by ${s.changed_by}${s.reason ? `: ${s.reason}` : ''}` : 'released';

export async function status(http: WardenHttp): Promise<Outcome> {
  const [state, approvals, policies] = await Promise.all([
    http.get<GoLiveState>(`${API}/go-live/state`, 'status'),
    http.get<{ items: unknown[]; next_cursor: string | null }>(`${API}/approvals?status=pending&limit=100`, 'status'),
    http.get<RiskPolicy[]>(`${API}/risk/policies`, 'status'),
  ]);
  const s = state.body;
  const engines = policies.body.map((p) => ({ engine: p.engine, enabled: p.enabled, throttled_by: p.throttled_by, disabled_reason: p.disabled_reason }));
  const off = engines.filter((e) => !e.enabled);
  const pendingCount = `${approvals.body.items.length}${approvals.body.next_cursor ? '+' : ''}`;
  const human = [
    `server:       ${http.connection.server}`,
    `go-live:      ${s.go_live_enabled ? 'enabled' : 'disabled'}${s.enforced ? ' (enforced)' : ' (not enforced here)'}`,
    `kill switch:  ${killLine(s)}`,
    `approvals:    ${pendingCount} pending`,
    `engines:      ${engines.length}${off.length ? `, disabled: ${off.map((e) => `${e.engine}${e.throttled_by ? ` (throttled by ${e.throttled_by})` : ''}`).join(', ')}` : ', all enabled'}`,
  ].join('\n');
  return done({ go_live: s, approvals_pending: approvals.body.items.length, approvals_pending_more: approvals.body.next_cursor !== null, engines }, human);
}

const needReason = (reason: string | undefined): string => {
  if (!reason?.trim()) throw invalidInput('--reason is required');
  return reason.trim();
};

export async function killSwitch(http: WardenHttp, act: 'engage' | 'release', opts: { reason?: string; wait?: number }): Promise<Outcome> {
  const reason = needReason(opts.reason);
  const answer: Answer = await http.post(`${API}/go-live/kill-switch/${act}`, { reason }, `kill-switch ${act}`);
  if (answer.status === 202) {
    if (opts.wait === undefined) return pending(answer.body, 'the release of the kill switch');
    return waitedAct(http, answer.body.approval_id, opts.wait, 'the release of the kill switch', async () => {
      const s = (await http.get<GoLiveState>(`${API}/go-live/state`, 'kill-switch release')).body;
      return done({ result: s, approval_id: answer.body.approval_id }, `kill switch ${killLine(s)} (approval ${answer.body.approval_id})`);
    });
  }
  const s = answer.body as GoLiveState;
  return done({ result: s }, `kill switch ${killLine(s)}`);
}

/**
 * A 202 followed with --wait: polls the approval until its act was carried out (consumed), it was
 * refused, or the wait ends (still pending: exit 4, "timeout is rejection" for the caller).
 */
async function waitedAct(http: WardenHttp, id: string, waitMs: number, act: string, after: () => Promise<Outcome>): Promise<Outcome> {
  const a = await waitForApproval(http, id, waitMs, (x) => x.status !== 'pending' && (x.status !== 'approved' || x.consumed_at !== null));
  if (a.status === 'approved' && a.consumed_at) return after();
  if (a.status === 'pending' || a.status === 'approved') return pending({ approval_id: id, status: a.status, expires_at: a.expires_at }, act);
  return done({ approval_id: id, status: a.status, error: `approval_${a.status}`, message: `${act} was not done: approval ${id} is ${a.status}` }, `NOT DONE: ${act}: approval ${id} is ${a.status}`, EXIT.refused);
}

const caps = (p: RiskPolicy) => `${p.max_daily_exposure ?? '∞'}/${p.max_open_risk ?? '∞'}/${p.max_daily_loss ?? '∞'}`;

export async function enginesList(http: WardenHttp): Promise<Outcome> {
  const policies = (await http.get<RiskPolicy[]>(`${API}/risk/policies`, 'engines list')).body;
  const human = table(
    ['ENGINE', 'STATE', 'CAPS (exposure/open/loss)', 'MODE', 'WHY', 'SINCE'],
    policies.map((p) => [p.engine, p.enabled ? 'enabled' : p.throttled_by ? 'throttled' : 'disabled', caps(p), p.enforcement_mode, p.enabled ? '' : (p.throttled_by ? `${p.throttled_by}: ` : '') + (p.disabled_reason ?? ''), `${p.updated_at} by ${p.updated_by}`]),
  );
  return done({ items: policies }, human);
}

const engineArg = (engine: string) => {
  const e = engine.trim().toUpperCase();
  if (!/^[A-Z0-9_]{1,32}$/.test(e)) throw invalidInput(`invalid engine ${engine}: must match [A-Z0-9_]{1,32}`);
  return e;
};

/** Turns an engine off, as an operator (the risk policy's `enabled`; its denials name the reason). */
export async function engineThrottle(http: WardenHttp, engine: string, opts: { reason?: string }): Promise<Outcome> {
  const reason = needReason(opts.reason);
  const e = engineArg(engine);
  const answer = await http.post(`${API}/risk/policies/upsert`, { engine: e, enabled: false, disabled_reason: reason, reason }, `engines throttle ${e}`);
  if (answer.status === 202) return pending(answer.body, `throttling ${e}`);
  return done({ result: answer.body }, `${e} disabled: ${reason}`);
}

/** Turns an engine back on; a tripwire's throttle under the two-person rule answers 202 (exit 4). */
export async function engineReenable(http: WardenHttp, engine: string, opts: { reason?: string; wait?: number }): Promise<Outcome> {
  const reason = needReason(opts.reason);
  const e = engineArg(engine);
  const answer = await http.post(`${API}/risk/policies/upsert`, { engine: e, enabled: true, reason }, `engines reenable ${e}`);
  if (answer.status === 202) {
    if (opts.wait === undefined) return pending(answer.body, `re-enabling ${e}`);
    return waitedAct(http, answer.body.approval_id, opts.wait, `re-enabling ${e}`, async () => {
      const p = (await http.get<RiskPolicy[]>(`${API}/risk/policies`, `engines reenable ${e}`)).body.find((x) => x.engine === e);
      return done({ result: p ?? null, approval_id: answer.body.approval_id }, `${e} ${p?.enabled ? 're-enabled' : 'still disabled'} (approval ${answer.body.approval_id})`, p?.enabled ? EXIT.ok : EXIT.refused);
    });
  }
  return done({ result: answer.body }, `${e} re-enabled`);
}

