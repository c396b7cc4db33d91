// `warden change check`: Autopack's tiers offline, for an agent's CI before it calls Warden. The same
// reader (parseChange), decision and answer as POST /api/governance/changes; no database.
// '#changes' is the lever's one entry point, so loading it loads its Nest side too (about a second):
// register.ts imports this file only when the command runs.
import { readFileSync, statSync } from 'node:fs';
import { answerOf, ChangeInputError, compilePolicy, decideChange, DEFAULT_POLICY, parseChange, parsePolicyYaml } from '#changes';
import type { CommandResult } from './output.js';

export const CHANGE_EXIT = { approved: 0, held: 4, invalid: 6 } as const;
const MAX_FILE_BYTES = 1_048_576;

export interface ChangeCheckOptions {
  change: string;
  policy?: string;
  json?: boolean;
}

function read(path: string, what: string): string {
  try {
    if (statSync(path).size > MAX_FILE_BYTES) throw new Error(`over ${MAX_FILE_BYTES} bytes`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ChangeInputError(`unreadable_${what}`, what, `read ${what} ${path}: ${(e as Error).message}`);
  }
}

function invalid(e: ChangeInputError, json: boolean | undefined): CommandResult {
  const codes = [...new Set(e.problems.map((p) => p.code))];
  const stdout = json
    ? `${JSON.stringify({ ok: false, error: e.code.includes('policy') ? 'invalid_policy' : 'invalid_change', reason_codes: codes, message: e.message, fields: e.problems.map((p) => ({ field: p.field, problem: p.problem })) })}\n`
    : `change check error: ${e.message}\n`;
  return { exitCode: CHANGE_EXIT.invalid, stdout };
}

/** Exit 0 auto-approved (tiers 1-2), 4 held (tiers 3-4), 6 invalid input; the same bytes for the same files. */
export function changeCheck(o: ChangeCheckOptions): CommandResult {
  try {
    const compiled = o.policy ? compilePolicy(parsePolicyYaml(read(o.policy, 'policy'))) : DEFAULT_POLICY;
    let body: unknown;
    try {
      body = JSON.parse(read(o.change, 'change'));
    } catch (e) {
      if (e instanceof ChangeInputError) throw e;
      throw new ChangeInputError('invalid_change_json', 'change', `parse change json: ${(e as Error).message}`);
    }
    const change = parseChange(body);
    const answer = answerOf(change, decideChange(compiled, change), compiled.digest);
    const exitCode = answer.auto_approved ? CHANGE_EXIT.approved : CHANGE_EXIT.held;
    if (o.json) return { exitCode, stdout: `${JSON.stringify(answer)}\n` };
    const lines = [
      `change check: tier=${answer.tier} auto_approved=${answer.auto_approved} risk_level=${answer.risk_level} risk_score=${answer.risk_score.score} (${answer.risk_score.level})`,
      `reasons: ${answer.reason_codes.length ? answer.reason_codes.join(',') : 'none'}`,
      ...(answer.violated_paths?.length ? [`violated_paths: ${answer.violated_paths.join(',')}`] : []),
      `policy_digest: ${answer.policy_digest}`,
    ];
    return { exitCode, stdout: `${lines.join('\n')}\n` };
  } catch (e) {
    if (e instanceof ChangeInputError) return invalid(e, o.json);
    throw e;
  }
}
