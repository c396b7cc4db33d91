import type { HttpResult, TestApp } from '../test-app.js';

/** Go-live test helpers: the control-plane routes over real HTTP, and the approvals that the two-person rule files. */
export const GO_LIVE = '/api/governance/go-live';
export const APPROVALS = '/api/governance/approvals';

/** The go-live routes (and the approval decisions the two-person rule needs) as the given token. */
export function goLiveApi(t: TestApp) {
  const post = (path: string, body: unknown, token: string): Promise<HttpResult> => t.http('POST', path, body, { token });
  return {
    state: (token: string): Promise<HttpResult> => t.http('GET', `${GO_LIVE}/state`, undefined, { token }),
    checklist: (token: string): Promise<HttpResult> => t.http('GET', `${GO_LIVE}/checklist`, undefined, { token }),
    attest: (item: string, body: unknown, token: string): Promise<HttpResult> => t.http('PUT', `${GO_LIVE}/checklist/${item}`, body, { token }),
    enable: (body: unknown, token: string) => post(`${GO_LIVE}/enable`, body, token),
    disable: (reason: string, token: string) => post(`${GO_LIVE}/disable`, { reason }, token),
    engage: (reason: string, token: string) => post(`${GO_LIVE}/kill-switch/engage`, { reason }, token),
    release: (reason: string, token: string) => post(`${GO_LIVE}/kill-switch/release`, { reason }, token),
    approve: (approvalId: string, token: string, reason = 'checked') => post(`${APPROVALS}/${approvalId}/approve`, { reason }, token),
    reject: (approvalId: string, token: string, reason = 'no') => post(`${APPROVALS}/${approvalId}/reject`, { reason }, token),
  };
}

/** The roles a go-live test needs, minted through the admin API (two operators: the two-person rule). */
export async function goLiveTokens(t: TestApp) {
  const [viewer, operator, operator2, engine] = await Promise.all([t.token('viewer'), t.token('operator'), t.token('operator'), t.token('engine')]);
  return { viewer, operator, operator2, engine };
}

/** The audit rows of an action, oldest first. */
export const auditOf = (t: TestApp, action: string): Promise<any[]> =>
  t.sql(`SELECT principal, action, subject, reason, details FROM audit_log WHERE action = $1 ORDER BY id`, [action]);
