// Human text for the HTTP commands' answers. Pure: the answers in, lines out (tested beside).

/** Left-aligned columns, two spaces apart; `—` for empty cells. */
export function table(headers: string[], rows: string[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === '' ? '—' : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const obj = (v: unknown): Record<string, any> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {});

export interface DecisionView {
  approver?: string;
  approver_person?: string | null;
  decision?: string;
  reason?: string | null;
  decided_at?: string;
}

export interface ApprovalView {
  id: string;
  kind: string;
  subject: string;
  payload?: unknown;
  requested_by: string;
  reason: string;
  risk_level: string;
  min_approvals: number;
  approvals: number;
  status: string;
  created_at: string;
  expires_at: string;
  decided_at?: string | null;
  consumed_at?: string | null;
  decisions?: DecisionView[];
}

const who = (d: DecisionView) => `${d.approver ?? '?'}${d.approver_person ? ` (${d.approver_person})` : ''}`;

/** "1 of 2, by alice-ops (token:alice)"; rejections after. */
export function decisionsLine(a: ApprovalView): string {
  const approvals = (a.decisions ?? []).filter((d) => d.decision === 'approve');
  const rejections = (a.decisions ?? []).filter((d) => d.decision === 'reject');
  let line = `${a.approvals} of ${a.min_approvals}${approvals.length ? `, by ${approvals.map(who).join(', ')}` : ''}`;
  if (rejections.length) line += `; rejected by ${rejections.map((d) => `${who(d)}${d.reason ? `: ${d.reason}` : ''}`).join(', ')}`;
  return line;
}

/** A gate intent's payload as an approver needs it: tool, identity, targets, engine, amount. */
function gateIntentLines(p: Record<string, any>): string[] {
  const intent = obj(p.intent);
  const context = obj(intent.context);
  const targets = Array.isArray(intent.targets) ? intent.targets.map((t: unknown) => {
    const x = obj(t);
    const extra = [x.operation, x.sensitivity].filter(Boolean).join(', ');
    return `${str(x.kind)}:${str(x.value)}${extra ? ` (${extra})` : ''}`;
  }) : [];
  return [
    `  tool:       ${str(intent.tool_name)}`,
    `  identity:   ${str(context.identity)}${context.workspace ? `  (workspace ${str(context.workspace)})` : ''}`,
    `  risk class: ${str(context.risk_class)}`,
    `  targets:    ${targets.length ? targets.join('; ') : 'none'}`,
    `  args:       ${JSON.stringify(intent.args ?? {})}`,
    `  engine:     ${str(p.engine) || 'none'}`,
    `  amount:     ${str(p.amount) || 'none'}${p.reserve ? ' (reserve on approval)' : ''}`,
    ...(p.domain ? [`  domain:     ${str(p.domain)}`] : []),
    ...(p.recommendation_id ? [`  recommendation: ${str(p.recommendation_id)}`] : []),
    `  policy:     ${str(p.policy_digest)}`,
  ];
}

/** A change request's payload (`payload.change_request`): the control, its base version and the diff. */
function changeRequestLines(cr: Record<string, any>): string[] {
  const lines = [`  control:      ${str(cr.control)}`, `  subject:      ${str(cr.subject)}`, `  base version: ${str(cr.base_version)}`];
  const diff = Array.isArray(cr.diff) ? cr.diff.map(obj) : [];
  if (diff.length) {
    lines.push('  diff:');
    for (const d of diff) lines.push(`    ${str(d.path) || '(value)'}: ${d.before === undefined ? '(none)' : JSON.stringify(d.before)} → ${d.after === undefined ? '(none)' : JSON.stringify(d.after)}`);
  } else {
    lines.push(`  before: ${JSON.stringify(cr.before ?? null)}`, `  after:  ${JSON.stringify(cr.after ?? null)}`);
  }
  return lines;
}

/** What is asked, for what it is: a gate intent, a change request, else the payload as JSON. */
export function payloadLines(a: ApprovalView): string[] {
  const p = obj(a.payload);
  if (a.kind === 'gate_intent' && p.intent) return ['payload (gate intent):', ...gateIntentLines(p)];
  if (p.change_request && typeof p.change_request === 'object') return ['payload (change request):', ...changeRequestLines(obj(p.change_request))];
  if (a.payload === null || a.payload === undefined) return ['payload: none'];
  return ['payload:', ...JSON.stringify(a.payload, null, 2).split('\n').map((l) => `  ${l}`)];
}

export function approvalDetail(a: ApprovalView): string {
  const lines = [
    `approval ${a.id}`,
    `  kind:       ${a.kind}`,
    `  subject:    ${a.subject}`,
    `  status:     ${a.status.toUpperCase()}${a.consumed_at ? ` (act carried out ${a.consumed_at})` : ''}`,
    `  risk:       ${a.risk_level}`,
    `  requested:  by ${a.requested_by} at ${a.created_at}`,
    `  reason:     ${a.reason}`,
    `  expires:    ${a.expires_at}`,
    `  approvals:  ${decisionsLine(a)}`,
    ...payloadLines(a),
  ];
  return lines.join('\n') + '\n';
}

export function approvalsTable(items: ApprovalView[]): string {
  if (!items.length) return 'no approval requests\n';
  return table(
    ['ID', 'KIND', 'SUBJECT', 'STATUS', 'APPROVALS', 'REQUESTED BY', 'EXPIRES', 'REASON'],
    items.map((a) => [a.id, a.kind, a.subject, a.status, `${a.approvals}/${a.min_approvals}`, a.requested_by, a.expires_at, a.reason]),
  );
}

/** One control-state event in a line: id, time, type, what changed. */
export function eventLine(e: { id?: string; type?: string; at?: string; data?: unknown }): string {
  const d = obj(e.data);
  const bits: string[] = [];
  for (const key of ['engine', 'domain', 'name', 'approval_id', 'kind', 'status', 'mode', 'reason', 'disabled_reason', 'throttled_by', 'changed_by', 'updated_by']) {
    if (d[key] !== undefined && d[key] !== null && d[key] !== '') bits.push(`${key}=${typeof d[key] === 'string' ? JSON.stringify(d[key]) : JSON.stringify(d[key])}`);
  }
  return `${e.id ?? '-'}  ${e.at ?? ''}  ${e.type ?? 'message'}${bits.length ? `  ${bits.join(' ')}` : ''}`;
}

/** The snapshot that opens the stream, in a few lines. */
export function snapshotLines(position: string, state: unknown): string {
  const s = obj(state);
  const g = obj(s.go_live);
  const risk = Object.values(obj(s.risk)).map(obj);
  const off = risk.filter((r) => r.enabled === false).map((r) => str(r.engine));
  return [
    `snapshot at ${position}: go-live ${g.go_live_enabled ? 'enabled' : 'disabled'}, kill switch ${g.kill_switch_engaged ? 'ENGAGED' : 'released'}`,
    `  engines: ${risk.length}${off.length ? ` (disabled: ${off.join(', ')})` : ''}`,
  ].join('\n') + '\n';
}
