import { randomBytes } from 'node:crypto';
import type { TestApp } from '../test-app.js';

/** Gate test factories: policies (YAML), intents, and calls to the gate's routes over HTTP. */
export const G = '/api/governance/gate';

/** Reads allowed, writes need two approvals, deletes blocked with a reason code, anything else blocked. */
export const STANDARD_POLICY = `schema_id: gait.gate.policy
schema_version: 1.0.0
default_verdict: block
rules:
  - name: allow-reads
    priority: 10
    effect: allow
    match:
      tool_names: [tool.read]
  - name: approve-writes
    priority: 20
    effect: require_approval
    match:
      tool_names: [tool.write]
    reason_codes: [approval_required_for_write]
    violations: [approval_required]
    min_approvals: 2
  - name: deny-deletes
    priority: 5
    effect: block
    match:
      tool_names: [tool.delete]
    reason_codes: [delete_forbidden]
    violations: [destructive_action]
`;

export const uniqueName = (prefix = 'p'): string => `${prefix}-${randomBytes(4).toString('hex')}`;
export const uniqueIdentity = (prefix = 'agent'): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A gait intent: `tool.read` of a file by `identity` unless overridden. */
export function intent(tool = 'tool.read', identity = 'agent-alice', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const op = tool.split('.')[1] ?? 'read';
  return {
    schema_id: 'gait.gate.intent_request',
    schema_version: '1.0.0',
    tool_name: tool,
    args: { path: '/srv/app/config.yaml' },
    targets: [{ kind: 'path', value: '/srv/app/config.yaml', operation: op }],
    arg_provenance: [{ arg_path: '$.path', source: 'user' }],
    context: { identity, workspace: '/srv/app', risk_class: 'medium' },
    ...extra,
  };
}

/** PUT a policy as YAML text (operator or admin token); query options as given. */
export async function putPolicy(t: TestApp, name: string, yaml = STANDARD_POLICY, opts: { token?: string; query?: string; contentType?: string } = {}) {
  return t.http('PUT', `${G}/policies/${name}${opts.query ? `?${opts.query}` : ''}`, undefined, { token: opts.token, raw: yaml, headers: { 'content-type': opts.contentType ?? 'application/yaml' } });
}

/** A stored, active policy in `mode`; returns its name and digest. */
export async function activePolicy(t: TestApp, mode: 'observe' | 'dry_run' | 'enforce' = 'enforce', yaml = STANDARD_POLICY, name = uniqueName()): Promise<{ name: string; digest: string }> {
  const res = await putPolicy(t, name, yaml, { query: `mode=${mode}` });
  if (res.status !== 200) throw new Error(`policy PUT failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { name, digest: res.body.digest };
}

export function evaluate(t: TestApp, body: Record<string, unknown>, token?: string) {
  return t.http('POST', `${G}/evaluate`, body, { token });
}

/** Sets an identity's trust override (operator). */
export function setTrust(t: TestApp, identity: string, score: number | null, token?: string) {
  return t.http('PUT', `${G}/trust/${encodeURIComponent(identity)}`, { score, reason: 'test' }, { token });
}
