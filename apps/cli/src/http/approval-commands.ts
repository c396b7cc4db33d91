// `warden approvals list|show|approve|reject`: the console's approvals queue over HTTP.
import { API, seg, type WardenHttp } from './client.js';
import { EXIT } from './exit.js';
import { done, type Outcome } from './output.js';
import { approvalDetail, approvalsTable, decisionsLine, type ApprovalView } from './render.js';
import { invalidInput } from './run.js';
import { waitForApproval } from './wait.js';

const STATUSES = ['pending', 'approved', 'rejected', 'expired', 'cancelled', 'all'] as const;

export async function approvalsList(http: WardenHttp, opts: { status?: string; kind?: string; limit?: string }): Promise<Outcome> {
  const status = opts.status ?? 'pending';
  if (!(STATUSES as readonly string[]).includes(status)) throw invalidInput(`--status must be one of ${STATUSES.join(', ')}`);
  const q = new URLSearchParams();
  if (status !== 'all') q.set('status', status);
  if (opts.kind) q.set('kind', opts.kind);
  q.set('limit', opts.limit ?? '100');
  const page = (await http.get<{ items: ApprovalView[]; next_cursor: string | null }>(`${API}/approvals?${q}`, 'approvals list')).body;
  const more = page.next_cursor ? `(more: --limit, or the API's ?before=${page.next_cursor})\n` : '';
  return done({ items: page.items, next_cursor: page.next_cursor }, approvalsTable(page.items) + more);
}

const idArg = (id: string) => {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id.trim())) throw invalidInput(`not an approval id: ${id}`);
  return id.trim();
};

export async function approvalsShow(http: WardenHttp, id: string): Promise<Outcome> {
  const a = (await http.get<ApprovalView>(`${API}/approvals/${seg(idArg(id))}`, `approvals show ${id}`)).body;
  return done({ approval: a }, approvalDetail(a));
}

/**
 * A decision. Exit 0 once the request is decided (approved or rejected); still pending after an
 * approval (another is needed) is exit 4. --wait follows an approved request until its act ran.
 */
export async function approvalsDecide(http: WardenHttp, decision: 'approve' | 'reject', id: string, opts: { reason?: string; wait?: number }): Promise<Outcome> {
  const key = idArg(id);
  if (decision === 'reject' && !opts.reason?.trim()) throw invalidInput('--reason is required to reject');
  const body = opts.reason?.trim() ? { reason: opts.reason.trim() } : {};
  let a = (await http.post<ApprovalView>(`${API}/approvals/${seg(key)}/${decision}`, body, `approvals ${decision} ${key}`)).body;
  if (decision === 'approve' && a.status === 'approved' && opts.wait !== undefined) {
    a = await waitForApproval(http, key, opts.wait, (x) => x.consumed_at !== null || x.status !== 'approved');
  }
  const summary = `approval ${a.id} (${a.kind} ${a.subject}): ${decisionsLine(a)}`;
  if (a.status === 'pending') {
    const left = a.min_approvals - a.approvals;
    return {
      exitCode: EXIT.pending,
      notDone: true,
      json: { pending: true, error: 'approval_pending', message: `your decision is recorded; ${left} more approval${left === 1 ? '' : 's'} needed`, approval: a },
      human: `PENDING (not done): ${summary}; ${left} more approval${left === 1 ? '' : 's'} needed\n`,
    };
  }
  if (a.status === 'approved') {
    if (!a.consumed_at && opts.wait !== undefined) {
      const message = `approved, but its act has not been carried out yet (the wait ended)`;
      return { exitCode: EXIT.pending, notDone: true, json: { pending: true, error: 'act_pending', message, approval: a }, human: `PENDING (not done): ${summary}; ${message}\n` };
    }
    const act = a.consumed_at ? `its act was carried out at ${a.consumed_at}` : 'what it allows runs when its grant is used (--wait to follow it)';
    return done({ approval: a }, `APPROVED ${summary}; ${act}`);
  }
  return done({ approval: a }, `${a.status.toUpperCase()} ${summary}`);
}
