// What an HTTP command prints. With --json: exactly one JSON line on stdout, `{"ok": true, ...}` when
// done, `{"ok": false, "error": <code>, "message": ...}` otherwise (the offline commands' shape), so
// a pending act is never read as done. Without: text for people, errors on stderr.
import { CliError, EXIT } from './exit.js';

export interface Outcome {
  exitCode: number;
  /** The JSON line's fields (after `ok`). */
  json: Record<string, unknown>;
  /** Human text (ends with a newline). */
  human: string;
  /** true: `ok` is false (pending, or a decision that leaves the request pending). */
  notDone?: boolean;
  /** Nothing more to print (watch: its lines went out as they came). */
  quiet?: boolean;
}

export const done = (json: Record<string, unknown>, human: string, exitCode: number = EXIT.ok): Outcome => ({ exitCode, json, human: human.endsWith('\n') ? human : `${human}\n` });

/** A 202: the act waits for another operator's approval. Exit 4; never printed as done. */
export function pending(approval: { approval_id?: unknown; status?: unknown; expires_at?: unknown }, act: string): Outcome {
  const id = String(approval.approval_id ?? '');
  const message = `${act} is pending: approval ${id} must be approved by another operator first`;
  return {
    exitCode: EXIT.pending,
    notDone: true,
    json: { pending: true, error: 'approval_pending', message, approval_id: id, status: approval.status ?? 'pending', expires_at: approval.expires_at ?? null },
    human: `PENDING (not done): ${message}${approval.expires_at ? ` (expires ${String(approval.expires_at)})` : ''}.\n  warden approvals show ${id}\n`,
  };
}

export interface Printed {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The text of an outcome. */
export function print(o: Outcome, json: boolean): Printed {
  if (o.quiet) return { exitCode: o.exitCode, stdout: '', stderr: '' };
  if (!json) return { exitCode: o.exitCode, stdout: o.human, stderr: '' };
  return { exitCode: o.exitCode, stdout: `${JSON.stringify({ ok: !o.notDone, ...o.json })}\n`, stderr: '' };
}

/** The text of a failure: anything not a CliError is exit 1 with its message. */
export function printError(err: unknown, json: boolean): Printed {
  const e = err instanceof CliError ? err : new CliError(EXIT.failure, 'internal', (err as Error)?.message ?? String(err));
  if (json) return { exitCode: e.exitCode, stdout: `${JSON.stringify({ ok: false, error: e.code, message: e.message, ...e.extra })}\n`, stderr: '' };
  const tail = [e.extra.status ? `HTTP ${e.extra.status}` : '', e.code].filter(Boolean).join(' ');
  const reasons = e.extra.reason_codes?.length ? `\n  reason codes: ${e.extra.reason_codes.join(', ')}` : '';
  return { exitCode: e.exitCode, stdout: '', stderr: `warden: ${e.message} (${tail})${reasons}\n` };
}
