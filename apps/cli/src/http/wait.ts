// Polling an approval until a condition holds or the wait ends (then the last answer is returned).
import { API, seg, type WardenHttp } from './client.js';
import type { ApprovalView } from './render.js';

const POLL_MS = 500;

export async function waitForApproval(http: WardenHttp, id: string, waitMs: number, until: (a: ApprovalView) => boolean): Promise<ApprovalView> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const a = (await http.get<ApprovalView>(`${API}/approvals/${seg(id)}`, `approvals show ${id}`)).body;
    if (until(a) || Date.now() >= deadline) return a;
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}
